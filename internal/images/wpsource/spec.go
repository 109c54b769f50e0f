package wpsource

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Kind is the form of a source spec.
type Kind string

const (
	KindDefault Kind = "default" // official latest when reachable, else debian
	KindURL     Kind = "url"     // https URL of a release archive
	KindArchive Kind = "archive" // local .zip or .tar.gz
	KindFolder  Kind = "folder"  // local WordPress folder
	KindDebian  Kind = "debian"  // Debian's wordpress package, unpacked
)

// Spec is a parsed source spec.
type Spec struct {
	Kind  Kind
	Value string // URL, or absolute path for archive/folder
}

// acceptedForms is shown whenever a spec is not understood.
const acceptedForms = `accepted forms: "" (official latest release, or Debian's package when wordpress.org is unreachable), ` +
	`"debian", an https:// URL of a release archive (.zip or .tar.gz), ` +
	`a local .zip or .tar.gz file, or a local folder containing wp-includes/version.php`

// ParseSpec classifies spec. Local paths are checked on disk.
func ParseSpec(spec string) (Spec, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return Spec{Kind: KindDefault}, nil
	case spec == "debian":
		return Spec{Kind: KindDebian}, nil
	case strings.Contains(spec, "://"):
		u, err := url.Parse(spec)
		if err != nil || u.Host == "" {
			return Spec{}, fmt.Errorf("wordpress source %q is not a valid URL; %s", spec, acceptedForms)
		}
		// Plain http only to this machine (a local mirror): nothing on the
		// way can tamper with the archive and its checksum.
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
			return Spec{}, fmt.Errorf("wordpress source %q: only https URLs (or http to this machine) are accepted, so the archive and its checksum cannot be tampered with on the way; %s", spec, acceptedForms)
		}
		if archiveFormat(u.Path) == "" {
			return Spec{}, fmt.Errorf("wordpress source %q: the URL must name a .zip or .tar.gz archive; %s", spec, acceptedForms)
		}
		return Spec{Kind: KindURL, Value: spec}, nil
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return Spec{}, fmt.Errorf("wordpress source %q: %w", spec, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return Spec{}, fmt.Errorf("wordpress source %q is neither a known word nor an existing file or folder (%v); %s", spec, err, acceptedForms)
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(abs, "wp-includes", "version.php")); err != nil {
			return Spec{}, fmt.Errorf("wordpress source %q: folder has no wp-includes/version.php, so it is not a WordPress tree; point at the folder that contains wp-admin, wp-content and wp-includes", spec)
		}
		return Spec{Kind: KindFolder, Value: abs}, nil
	}
	if archiveFormat(abs) == "" {
		return Spec{}, fmt.Errorf("wordpress source %q: files must be .zip or .tar.gz archives; %s", spec, acceptedForms)
	}
	return Spec{Kind: KindArchive, Value: abs}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// archiveFormat returns "zip", "tar.gz" or "" from a file name.
func archiveFormat(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return "tar.gz"
	}
	return ""
}
