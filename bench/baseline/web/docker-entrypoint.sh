#!/bin/sh
# The official wordpress image's entrypoint, reduced to what step 7 uses:
# copy the core into an empty webroot, write wp-config.php from
# wp-config-docker.php with fresh keys, then run Apache.
set -eu
if [ "${1:-}" = apache2-foreground ]; then
	if [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then
		echo >&2 "WordPress not found in $PWD - copying now..."
		tar -C /usr/src/wordpress -cf - . | tar -xf -
		if [ ! -e .htaccess ]; then
			cat > .htaccess <<'HT'
# BEGIN WordPress
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]
RewriteBase /
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /index.php [L]
</IfModule>
# END WordPress
HT
		fi
		chown -R www-data:www-data .
		echo >&2 "Complete! WordPress has been successfully copied to $PWD"
	fi
	if [ ! -s wp-config.php ] && env | grep -q '^WORDPRESS_'; then
		awk '
			/put your unique phrase here/ {
				cmd = "head -c1m /dev/urandom | sha1sum | cut -d\\  -f1"
				cmd | getline str
				close(cmd)
				gsub("put your unique phrase here", str)
			}
			{ print }
		' wp-config-docker.php > wp-config.php
		chown www-data:www-data wp-config.php
	fi
fi
exec "$@"
