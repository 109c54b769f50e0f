#!/bin/sh
# Measures backup and restore of a site with 5 000 posts and a 100 MB upload
# set: duration and MB/s of `wpstack backup`, `backup verify`, `restore` into
# the same site and into a new site, and the archive's size against the raw
# data. Not a test: it asserts nothing and prints a report.
#
#   make build && bench/backup.sh            # or: WPSTACK=path NAME=prefix PORT=… bench/backup.sh
set -eu
WPSTACK=${WPSTACK:-bin/wpstack}
NAME=${NAME:-wpbench-backup}
PORT=${PORT:-8391}
COPY_PORT=${COPY_PORT:-8392}
POSTS=${POSTS:-5000}
UPLOAD_MB=${UPLOAD_MB:-100}
WORK=$(mktemp -d)
export WPSTACK_HOME=${WPSTACK_HOME:-$WORK/home}
src=$NAME-src
dst=$NAME-copy
cleanup() {
	"$WPSTACK" destroy "$src" --yes --progress quiet >/dev/null 2>&1 || true
	"$WPSTACK" destroy "$dst" --yes --progress quiet >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mbps() { awk -v n="$1" -v d="$2" 'BEGIN { printf "%.1f", n / 1e6 / d }'; }

"$WPSTACK" up "$src" --port "$PORT" --title "Backup bench" --progress quiet >/dev/null

# Posts: one INSERT … SELECT over MariaDB's sequence engine, in the db container.
docker exec -i -u mysql "$src-db-1" sh -c 'f=$(mktemp); trap "rm -f $f" EXIT; umask 077
printf "[client]\nuser=wordpress\npassword=\"%s\"\n" "$(cat /run/wpstack/secrets/MARIADB_PASSWORD)" > $f
mariadb --defaults-extra-file=$f wordpress' <<SQL
INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status,
  comment_status, ping_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered,
  post_parent, guid, menu_order, post_type)
SELECT 1, NOW(), UTC_TIMESTAMP(), REPEAT(CONCAT('Lorem ipsum dolor sit amet, post ', seq, '. '), 30), CONCAT('Bench post ', seq), '',
  'publish', 'open', 'open', CONCAT('bench-post-', seq), '', '', NOW(), UTC_TIMESTAMP(), '', 0,
  CONCAT('http://localhost:$PORT/?p=', seq + 1000), 0, 'post'
FROM seq_1_to_$POSTS;
SQL

# Uploads: incompressible files (like JPEGs), 256 KiB each.
n=$((UPLOAD_MB * 4))
docker exec -u www-data "$src-web-1" sh -c "mkdir -p /var/www/html/wp-content/uploads/bench && cd /var/www/html/wp-content/uploads/bench && i=0; while [ \$i -lt $n ]; do head -c 262144 /dev/urandom > f\$i.bin; i=\$((i+1)); done"

archive=$WORK/site.wpbackup
t0=$(now); "$WPSTACK" backup "$src" -o "$archive" --progress quiet >"$WORK/backup.out"; t1=$(now)
raw=$("$WPSTACK" backup verify "$archive" --progress quiet | sed -n 's/.*data: *\([0-9.]*\) MB.*/\1/p')
t2=$(now); "$WPSTACK" backup verify "$archive" --progress quiet >/dev/null; t3=$(now)
t4=$(now); "$WPSTACK" restore "$src" "$archive" --progress quiet >/dev/null; t5=$(now)
t6=$(now); "$WPSTACK" restore "$dst" "$archive" --port "$COPY_PORT" --progress quiet >/dev/null; t7=$(now)
size=$(stat -c %s "$archive")
rawb=$(awk -v r="$raw" 'BEGIN { printf "%d", r * 1e6 }')

echo "backup bench: $POSTS posts, $UPLOAD_MB MB of uploads"
echo "  raw data (dump + files):   $raw MB"
echo "  archive:                   $(awk -v s="$size" -v r="$rawb" 'BEGIN { printf "%.1f MB (%.1f%% of raw)", s / 1e6, 100 * s / r }')"
for row in "backup:$t0:$t1" "verify:$t2:$t3" "restore same site (incl. safety backup):$t4:$t5" "restore into a new site (incl. up):$t6:$t7"; do
	label=${row%%:*}; rest=${row#*:}; a=${rest%%:*}; b=${rest#*:}
	d=$(elapsed "$a" "$b")
	printf '  %-40s %6.1fs  %6.1f MB/s\n' "$label" "$d" "$(mbps "$rawb" "$d")"
done
