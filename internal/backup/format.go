package backup

import (
	"strings"
	"time"
)

// Format identifies the archive; Version changes when a reader of an older
// version could no longer restore it.
const (
	Format = "wpstack-backup"
	// FormatVersion 2 lists every member in the manifest, folders and
	// symlinks included, each with its type; version 1 listed regular
	// files only.
	FormatVersion = 2
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
	// maxSecrets bounds how many secret members an archive may hold.
	maxSecrets = 16
	// MaxFileSize bounds one wp-content file in an archive.
	MaxFileSize = 16 << 30
	// maxLink bounds a symlink's target (Linux's PATH_MAX).
	maxLink = 4096
)

// Member types as the manifest records them.
const (
	TypeFile    = "file"
	TypeDir     = "dir"
	TypeSymlink = "symlink"
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
	// TablePrefix is the site's WordPress table prefix; empty in archives
	// made before it was recorded (their sites all used wp_).
	TablePrefix string `json:"table_prefix,omitempty"`
	// EstimatedBytes sizes the progress bar; it is not stored.
	EstimatedBytes int64 `json:"-"`
}

// Member is one checked member of the archive. For a symlink, Size and
// SHA256 are those of its target's text; a folder has neither.
type Member struct {
	Name string `json:"name"`
	// Type is TypeFile (also when empty, as version 1 wrote it), TypeDir
	// or TypeSymlink.
	Type   string `json:"type,omitempty"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func (m Member) typ() string {
	if m.Type == "" {
		return TypeFile
	}
	return m.Type
}

// Manifest is the archive's last member.
//
// A manifest read back by Verify has no Members (an archive may have
// millions, and reading it must stay in bounded memory): it carries their
// counts, total size, secret members and a digest of the whole list instead.
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

	stats stats
}

// stats summarise the member list; both the writer and the reader fill them.
type stats struct {
	count, files       int
	bytes              int64
	dbBytes, fileBytes int64
	db                 bool
	secrets            []Member
	digest             string
}

func (s *stats) add(m Member) {
	s.count++
	s.bytes += m.Size
	switch {
	case strings.HasPrefix(m.Name, dbPrefix):
		s.db = true
		s.dbBytes += m.Size
	case strings.HasPrefix(m.Name, secretsPrefix):
		s.secrets = append(s.secrets, m)
	case m.typ() == TypeFile && strings.HasPrefix(m.Name, filesPrefix):
		s.files++
		s.fileBytes += m.Size
	}
}

// Secrets lists the names of the secrets the archive holds.
func (m Manifest) Secrets() []string {
	var out []string
	for _, mb := range m.stats.secrets {
		out = append(out, strings.TrimPrefix(mb.Name, secretsPrefix))
	}
	return out
}

// DataBytes is the total size of the members: the site's raw size.
func (m Manifest) DataBytes() int64 { return m.stats.bytes }

// DBBytes is the size of the database dump.
func (m Manifest) DBBytes() int64 { return m.stats.dbBytes }

// FileBytes is the size of wp-content's regular files.
func (m Manifest) FileBytes() int64 { return m.stats.fileBytes }

// Files counts the regular files of wp-content.
func (m Manifest) Files() int { return m.stats.files }

// Count is the number of members the manifest lists.
func (m Manifest) Count() int { return m.stats.count }
