<?php
/**
 * wpstack: health check, served at /.wpstack/health.
 *
 * 200 "ok" when Apache, PHP and the database answer with the settings
 * WordPress uses (Apache and PHP only when no WORDPRESS_* variable is set);
 * 503 "not ok" otherwise. The endpoint is public, so the
 * reason goes only to the container's own log (Apache's error log is the
 * container's stderr), never to the client.
 */

require_once '/usr/share/wpstack/env.php';

header('Content-Type: text/plain; charset=utf-8');
header('Cache-Control: no-store');

function wpstack_not_ok($why)
{
	error_log('wpstack health: database ' . $why);
	http_response_code(503);
	echo "not ok\n";
	exit;
}

// Without any WORDPRESS_* variable the database is whatever WordPress's
// setup wizard was (or will be) given, in a wp-config.php of the webroot:
// Apache and PHP answering is all this check can know.
if (!preg_grep('/^WORDPRESS_/', array_keys(getenv()))) {
	echo "ok\n";
	exit;
}

$host = wpstack_env('WORDPRESS_DB_HOST', 'mysql');
$port = 3306;
$socket = null;
// Same forms as WordPress: host, host:port, host:/socket, [ipv6]:port.
if (preg_match('/^\[(.*)\](?::(\d+))?$/', $host, $m)) {
	$host = $m[1];
	if (isset($m[2]) && $m[2] !== '') {
		$port = (int) $m[2];
	}
} elseif (substr_count($host, ':') === 1) {
	list($h, $rest) = explode(':', $host, 2);
	$host = $h;
	if (ctype_digit($rest)) {
		$port = (int) $rest;
	} elseif ($rest !== '') {
		$socket = $rest;
	}
}

mysqli_report(MYSQLI_REPORT_OFF);
$db = mysqli_init();
mysqli_options($db, MYSQLI_OPT_CONNECT_TIMEOUT, 3);
$ok = @mysqli_real_connect($db, $host, wpstack_env('WORDPRESS_DB_USER', 'root'),
	wpstack_env('WORDPRESS_DB_PASSWORD', ''), wpstack_env('WORDPRESS_DB_NAME', 'wordpress'), $port, $socket);
if (!$ok) {
	wpstack_not_ok('connect: ' . mysqli_connect_error());
}
$result = @mysqli_query($db, 'SELECT 1');
if ($result === false) {
	wpstack_not_ok('query: ' . mysqli_error($db));
}
mysqli_close($db);
echo "ok\n";
