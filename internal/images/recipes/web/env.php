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
