#!/bin/bash
# Throwaway measurement (not run in CI): `wpstack import` and `wpstack adopt`
# of an official-image site with 5 000 posts and 100 MB of uploads, made with
# SQL inserts and random files. Needs the wpt-i/* baseline images that
# TestImportOfficialStack builds. Everything lives under $W; remove it all with
#   scripts/measure-import.sh clean
set -euo pipefail
BIN=${BIN:-$(pwd)/bin/wpstack}
W=${W:-/tmp/wpt-i-measure}
export WPSTACK_HOME=$W/home
P=wpt-i-measure
PORT=${PORT:-38211}
mkdir -p $W
cd $W
if [ "${1:-}" = clean ]; then
  $BIN destroy wpt-i-meas-imp --yes || true
  $BIN destroy wpt-i-meas-adopt --yes || true
  docker-compose -p $P down -v
  exit
fi
rm -rf home dump.sql.gz wp-content
cat > docker-compose.yml <<YML
version: "3"
services:
  wordpress:
    image: wpt-i/wordpress:e2e
    ports:
      - "127.0.0.1:$PORT:80"
    environment:
      WORDPRESS_DB_HOST: db
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_PASSWORD: wp-pw
      WORDPRESS_DB_NAME: wordpress
    volumes:
      - html:/var/www/html
  db:
    image: wpt-i/mariadb:e2e
    environment:
      MARIADB_DATABASE: wordpress
      MARIADB_USER: wordpress
      MARIADB_PASSWORD: wp-pw
      MARIADB_ROOT_PASSWORD: root-pw
    volumes:
      - db:/var/lib/mysql
volumes:
  html: {}
  db: {}
YML
docker-compose -p $P up -d
for i in $(seq 1 120); do curl -s -o /dev/null -w '%{http_code}' -H "Host: localhost:$PORT" http://127.0.0.1:$PORT/wp-admin/install.php | grep -q 200 && break; sleep 1; done
curl -s -H "Host: localhost:$PORT" -d 'weblog_title=Measure&user_name=owner&admin_password=Orig-Pass-1&admin_password2=Orig-Pass-1&pw_weak=1&admin_email=o%40example.com&blog_public=1&Submit=Install' "http://127.0.0.1:$PORT/wp-admin/install.php?step=2" >/dev/null
docker exec -i -e MYSQL_PWD=root-pw ${P}_db_1 mariadb -uroot wordpress <<SQL
SET SESSION max_recursive_iterations = 100000;
INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, comment_status, ping_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 5000)
SELECT 1, NOW(), UTC_TIMESTAMP(), CONCAT('<p>Post ', i, ' links to <a href="http://localhost:$PORT/?p=', i, '">itself</a>. ', REPEAT('Lorem ipsum dolor sit amet. ', 60), '</p>'),
  CONCAT('Generated post ', i), '', 'publish', 'open', 'open', CONCAT('generated-post-', i), '', '', NOW(), UTC_TIMESTAMP(), '', CONCAT('http://localhost:$PORT/?p=', i), 'post' FROM n;
SQL
docker exec -u www-data ${P}_wordpress_1 sh -c 'mkdir -p wp-content/uploads/2026/12 && for i in $(seq 1 100); do head -c 1048576 /dev/urandom > wp-content/uploads/2026/12/file-$i.bin; done'
docker exec -e MYSQL_PWD=root-pw ${P}_db_1 mariadb-dump -uroot --single-transaction wordpress | gzip > dump.sql.gz
docker cp ${P}_wordpress_1:/var/www/html/wp-content .
ls -la dump.sql.gz; du -sh wp-content
echo "== import"
/usr/bin/time -f "import: %e s wall, %M KB max RSS" $BIN import wpt-i-meas-imp --db dump.sql.gz --files ./wp-content --port $((PORT+1)) --progress plain 2>&1 | grep -v working
echo "== adopt"
/usr/bin/time -f "adopt: %e s wall, %M KB max RSS" $BIN adopt docker-compose.yml --project $P --as wpt-i-meas-adopt --port $((PORT+2)) --progress plain 2>&1 | grep -v working
curl -s -o /dev/null -w 'imported /?p=4000: %{http_code}\n' -H "Host: localhost:$((PORT+1))" "http://127.0.0.1:$((PORT+1))/?p=4000"
curl -s -o /dev/null -w 'adopted upload: %{http_code} %{size_download}\n' -H "Host: localhost:$((PORT+2))" "http://127.0.0.1:$((PORT+2))/wp-content/uploads/2026/12/file-7.bin"
