// Package baseline holds the recipe of the comparison stack: the course's
// step 7 (the official wordpress image, Apache + mod_php, with a stock
// MariaDB), rebuilt from Debian packages because no registry is reachable.
// README.md in this folder lists every difference from the official images.
package baseline

import "embed"

// Files are the build contexts: web/ and db/.
//
//go:embed web db
var Files embed.FS
