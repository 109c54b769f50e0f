// Package importer turns a site made elsewhere — an SQL dump and a
// wp-content folder or archive — into a staged wpstack backup, so that
// bringing it in is a restore: the same sanitizer, URL rewriting, free-space
// check, safety backup and rollback.
//
// Both inputs are hostile. The dump is read statement by statement with a
// bound on each (backup.MaxStatement); only the statements a mysqldump or
// mariadb-dump output holds pass, and USE / CREATE DATABASE are dropped so
// the dump lands in the site's own database. Along the way the scan finds
// the table prefix, the charset, the site's URL, the WordPress database
// version and counts of tables, posts and users. wp-content entries go
// through the backup's member sanitizer; anything it would refuse fails the
// import instead of being left out.
package importer
