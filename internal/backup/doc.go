// Package backup writes, verifies and restores wpstack backups.
//
// A backup is one gzip-compressed tar stream (extension .wpbackup) with its
// members in this order:
//
//	wpstack-backup.json   what the file is: {"format":"wpstack-backup","version":1}
//	db/0000.sql …         the database dump, cut into chunks of at most ChunkSize
//	files/wp-content/…    the site's wp-content: folders, files, symlinks
//	manifest.json         versions, database facts, site URL, creation time,
//	                      and the type, SHA-256 and size of every member above
//
// Everything is streamed: the dump is cut into bounded chunks because a tar
// header needs a size, files go straight from the container's tar stream into
// the archive, and the manifest comes last because only then are the hashes
// known. A reader therefore checks the manifest at the end, folding the
// members into one digest as it goes (bounded memory); restore reads the
// archive twice — once to verify all of it before anything changes, once to
// apply it, checking at the end, before wp-content is swapped in, that it
// read the archive it verified. The archive is hostile input: see sanitizer
// for what a restore agrees to write.
package backup
