#!/bin/sh
# The official mariadb image's entrypoint, reduced to what step 7 uses:
# initialise an empty data directory from MARIADB_* variables, then run
# the server as mysql (setpriv stands in for gosu).
set -eu
chown -R mysql:mysql /var/lib/mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
	setpriv --reuid=mysql --regid=mysql --init-groups mariadb-install-db --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=normal >/dev/null
	setpriv --reuid=mysql --regid=mysql --init-groups mariadbd --skip-networking --socket=/run/mysqld/init.sock &
	pid=$!
	i=0
	until mariadb --protocol=socket --socket=/run/mysqld/init.sock -uroot -e 'SELECT 1' >/dev/null 2>&1; do
		i=$((i + 1)); [ "$i" -lt 60 ] || { echo >&2 "mariadb did not start"; exit 1; }
		sleep 1
	done
	mariadb --protocol=socket --socket=/run/mysqld/init.sock -uroot <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MARIADB_ROOT_PASSWORD}';
CREATE USER 'root'@'%' IDENTIFIED BY '${MARIADB_ROOT_PASSWORD}';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE}\`;
CREATE USER '${MARIADB_USER}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}';
GRANT ALL ON \`${MARIADB_DATABASE}\`.* TO '${MARIADB_USER}'@'%';
FLUSH PRIVILEGES;
SQL
	kill "$pid"; wait "$pid" || true
fi
exec setpriv --reuid=mysql --regid=mysql --init-groups "$@"
