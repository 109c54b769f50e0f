<?php
/**
 * wpstack: WordPress configuration, read from the environment at run time.
 *
 * WordPress finds this file one level above the webroot. Every setting comes
 * from NAME or NAME_FILE (see wpstack_env), so a changed setting takes effect
 * when the container is re-created. The defaults match the official image.
 */

require_once '/usr/share/wpstack/env.php';

// A site wpstack manages (WPSTACK_INSTALL_LOCK=1) is installed by wpstack:
// its installer answers only requests carrying the key derived from the
// site's salts file, so whoever reaches the port first cannot take the site,
// even while an interrupted `wpstack up` has left it uninstalled.
if (getenv('WPSTACK_INSTALL_LOCK') === '1' && PHP_SAPI !== 'cli' && isset($_SERVER['SCRIPT_FILENAME'])
	&& substr($_SERVER['SCRIPT_FILENAME'], -strlen('/wp-admin/install.php')) === '/wp-admin/install.php') {
	$wpstack_file = getenv('WPSTACK_SALTS_FILE');
	$wpstack_key = ($wpstack_file !== false && $wpstack_file !== '') ? @file_get_contents($wpstack_file) : false;
	$wpstack_given = isset($_SERVER['HTTP_X_WPSTACK_INSTALL_KEY']) ? (string) $_SERVER['HTTP_X_WPSTACK_INSTALL_KEY'] : '';
	if ($wpstack_key === false || $wpstack_key === '' || !hash_equals(hash_hmac('sha256', 'wpstack-install', $wpstack_key), $wpstack_given)) {
		header('HTTP/1.1 403 Forbidden');
		header('Content-Type: text/plain; charset=utf-8');
		echo "This site is installed by wpstack; its installer does not answer the network.\n";
		exit;
	}
	unset($wpstack_file, $wpstack_key, $wpstack_given);
}

define('DB_NAME', wpstack_env('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', wpstack_env('WORDPRESS_DB_USER', 'root'));
define('DB_PASSWORD', wpstack_env('WORDPRESS_DB_PASSWORD', ''));
define('DB_HOST', wpstack_env('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', wpstack_env('WORDPRESS_DB_CHARSET', 'utf8mb4'));
define('DB_COLLATE', wpstack_env('WORDPRESS_DB_COLLATE', ''));

$table_prefix = wpstack_env('WORDPRESS_TABLE_PREFIX', 'wp_');

// Keys and salts: WPSTACK_SALTS_FILE first, then WORDPRESS_<KEY>[_FILE],
// then the ones generated once into the webroot at the first start.
$wpstack_salts = wpstack_salts();
$wpstack_generated = null;
foreach (array('AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY',
	'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT') as $wpstack_key) {
	$wpstack_value = isset($wpstack_salts[$wpstack_key]) ? $wpstack_salts[$wpstack_key] : '';
	if ($wpstack_value === '') {
		$wpstack_value = wpstack_env('WORDPRESS_' . $wpstack_key, '');
	}
	if ($wpstack_value === '') {
		if ($wpstack_generated === null) {
			$wpstack_generated = @include '/var/www/html/wp-config-keys.php';
			if (!is_array($wpstack_generated)) {
				$wpstack_generated = array();
			}
		}
		if (isset($wpstack_generated[$wpstack_key])) {
			$wpstack_value = $wpstack_generated[$wpstack_key];
		}
	}
	if ($wpstack_value !== '') {
		define($wpstack_key, $wpstack_value);
	}
}
unset($wpstack_salts, $wpstack_generated, $wpstack_key, $wpstack_value);

define('WP_DEBUG', !in_array(strtolower(wpstack_env('WORDPRESS_DEBUG', '')), array('', '0', 'false', 'no', 'off'), true));

// Core is owned by www-data, the user PHP runs as, so updates from wp-admin
// write files directly.
define('FS_METHOD', 'direct');

// Behind a TLS-terminating proxy the request arrives as plain HTTP. Apache
// keeps X-Forwarded-Proto only on requests from a trusted proxy
// (WPSTACK_TRUSTED_PROXIES, see wpstack-server.conf); from anyone else it
// never reaches PHP.
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && strtolower(trim(explode(',', $_SERVER['HTTP_X_FORWARDED_PROTO'])[0])) === 'https') {
	$_SERVER['HTTPS'] = 'on';
}

// wpstack's must-use plugins (the edge's cache purge) live in the image,
// outside the webroot: wp-content stays the site's own.
if (!defined('WPMU_PLUGIN_DIR')) {
	define('WPMU_PLUGIN_DIR', '/usr/share/wpstack/mu-plugins');
}

// Extra PHP from the environment, as the official image does.
$wpstack_extra = wpstack_env('WORDPRESS_CONFIG_EXTRA', '');
if ($wpstack_extra !== '') {
	eval($wpstack_extra);
}
unset($wpstack_extra);

if (!defined('ABSPATH')) {
	define('ABSPATH', '/var/www/html/');
}

require_once ABSPATH . 'wp-settings.php';
