<?php
/**
 * wpstack: health check, served at /.wpstack/health.
 *
 * 200 when Apache, PHP and the database answer with the settings WordPress
 * uses; 503 otherwise. The reason is one line of plain text.
 */

require_once '/usr/share/wpstack/env.php';

header('Content-Type: text/plain; charset=utf-8');
header('Cache-Control: no-store');

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
	http_response_code(503);
	echo 'database: ', mysqli_connect_error(), "\n";
	exit;
}
$result = @mysqli_query($db, 'SELECT 1');
if ($result === false) {
	http_response_code(503);
	echo 'database: ', mysqli_error($db), "\n";
	exit;
}
mysqli_close($db);
echo "ok\n";
