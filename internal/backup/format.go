package backup

import (
	"strings"
	"time"
)

// Format identifies the archive; Version changes when a reader of an older
// version could no longer restore it.
const (
	Format        = "wpstack-backup"
	FormatVersion = 1
	Extension     = ".wpbackup"
	// ChunkSize bounds the memory a backup needs for the database dump.
	ChunkSize = 8 << 20

	headerName   = "wpstack-backup.json"
	manifestName = "manifest.json"
	dbPrefix     = "db/"
	filesPrefix  = "files/"
	// secretsPrefix members exist only with --include-secrets; they come
	// right after the header so a restore can read them without the rest.
	secretsPrefix = "secrets/"
	// maxSecret bounds one secret member (salts are the largest, ~600 B).
	maxSecret = 64 << 10
)

// header is the first member: a cheap way to refuse a foreign file early.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// Facts describe the site a backup was taken from.
type Facts struct {
	WordPressVersion string `json:"wordpress_version"`
	DBCharset        string `json:"db_charset"`
	DBCollation      string `json:"db_collation"`
	Tables           int    `json:"tables"`
	SiteURL          string `json:"site_url"`
	// EstimatedBytes sizes the progress bar; it is not stored.
	EstimatedBytes int64 `json:"-"`
}

// Member is one checked member of the archive.
type Member struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest is the archive's last member.
type Manifest struct {
	Format         string    `json:"format"`
	Version        int       `json:"version"`
	WpstackVersion string    `json:"wpstack_version"`
	Site           string    `json:"site"`
	Created        time.Time `json:"created"`
	Facts
	// IncludesSecrets says the archive holds the site's passwords and keys
	// in clear (secrets/ members).
	IncludesSecrets bool     `json:"includes_secrets,omitempty"`
	Members         []Member `json:"members"`
}

// Secrets lists the names of the secrets the archive holds.
func (m Manifest) Secrets() []string {
	var out []string
	for _, mb := range m.Members {
		if strings.HasPrefix(mb.Name, secretsPrefix) {
			out = append(out, strings.TrimPrefix(mb.Name, secretsPrefix))
		}
	}
	return out
}

// DataBytes is the total size of the members: the site's raw size.
func (m Manifest) DataBytes() int64 {
	var n int64
	for _, mb := range m.Members {
		n += mb.Size
	}
	return n
}

// Files counts the file members.
func (m Manifest) Files() int {
	n := 0
	for _, mb := range m.Members {
		if len(mb.Name) > len(filesPrefix) && strings.HasPrefix(mb.Name, filesPrefix) {
			n++
		}
	}
	return n
}
