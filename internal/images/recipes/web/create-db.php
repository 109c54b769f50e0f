<?php
/**
 * wpstack: creates WORDPRESS_DB_NAME when it does not exist, run once per
 * container start by `wpstack-init web` (PHP CLI, as www-data). Prints
 * one line when it did something or could not; nothing otherwise.
 */

require_once '/usr/share/wpstack/env.php';

list($host, $port, $socket) = wpstack_db_address(wpstack_env('WORDPRESS_DB_HOST', 'mysql'));
$user = wpstack_env('WORDPRESS_DB_USER', 'root');
$password = wpstack_env('WORDPRESS_DB_PASSWORD', '');
$name = wpstack_env('WORDPRESS_DB_NAME', 'wordpress');
$charset = wpstack_env('WORDPRESS_DB_CHARSET', 'utf8mb4');

mysqli_report(MYSQLI_REPORT_OFF);
// A database server may accept connections a little before it accepts
// logins: retry for up to 30 seconds.
for ($try = 0; $try < 30; $try++) {
	$db = mysqli_init();
	mysqli_options($db, MYSQLI_OPT_CONNECT_TIMEOUT, 3);
	if (@mysqli_real_connect($db, $host, $user, $password, '', $port, $socket)) {
		break;
	}
	$error = mysqli_connect_error();
	$errno = mysqli_connect_errno();
	$db = null;
	// Wrong credentials do not get better by waiting.
	if ($errno === 1045 || $errno === 1044) {
		break;
	}
	sleep(1);
}
if ($db === null) {
	echo "database check: cannot log in to {$host} as {$user}: {$error}\n";
	exit(0);
}
$stmt = mysqli_prepare($db, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?');
mysqli_stmt_bind_param($stmt, 's', $name);
mysqli_stmt_execute($stmt);
mysqli_stmt_store_result($stmt);
$exists = mysqli_stmt_num_rows($stmt) > 0;
mysqli_stmt_close($stmt);
if ($exists) {
	exit(0);
}
$ident = '`' . str_replace('`', '``', $name) . '`';
$cs = preg_match('/^[A-Za-z0-9_]+$/', $charset) ? " CHARACTER SET {$charset}" : '';
if (!mysqli_query($db, "CREATE DATABASE IF NOT EXISTS {$ident}{$cs}")) {
	echo "database check: database {$name} does not exist and {$user} cannot create it: ", mysqli_error($db), "\n";
	exit(0);
}
echo "database check: created database {$name}\n";
