<?php
/**
 * wpstack: run-time settings from the environment.
 *
 * Shared by /var/www/wp-config.php and the health check so both talk to the
 * database with the same settings.
 */

if (!function_exists('wpstack_env')) {
	/**
	 * Returns getenv($name), else the trimmed content of the file named by
	 * getenv($name . '_FILE'), else $default. Secrets arrive as files so they
	 * never show in `docker inspect`.
	 */
	function wpstack_env($name, $default = '')
	{
		$value = getenv($name);
		if ($value !== false) {
			return $value;
		}
		$file = getenv($name . '_FILE');
		if ($file !== false && $file !== '') {
			$content = @file_get_contents($file);
			if ($content === false) {
				error_log("wpstack: cannot read {$name}_FILE ({$file})");
				return $default;
			}
			return rtrim($content, "\r\n");
		}
		return $default;
	}
}

if (!function_exists('wpstack_salts')) {
	/**
	 * Reads NAME=value lines from the file named by WPSTACK_SALTS_FILE.
	 * A value may itself contain '='.
	 */
	function wpstack_salts()
	{
		$salts = array();
		$file = getenv('WPSTACK_SALTS_FILE');
		if ($file === false || $file === '') {
			return $salts;
		}
		$lines = @file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
		if ($lines === false) {
			error_log("wpstack: cannot read WPSTACK_SALTS_FILE ({$file})");
			return $salts;
		}
		foreach ($lines as $line) {
			$pos = strpos($line, '=');
			if ($pos === false) {
				continue;
			}
			$salts[trim(substr($line, 0, $pos))] = rtrim(substr($line, $pos + 1), "\r");
		}
		return $salts;
	}
}

if (!function_exists('wpstack_db_address')) {
	/**
	 * Splits WORDPRESS_DB_HOST as WordPress does (host, host:port,
	 * host:/socket, [ipv6]:port) into array(host, port, socket).
	 */
	function wpstack_db_address($host)
	{
		$port = 3306;
		$socket = null;
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
		return array($host, $port, $socket);
	}
}
