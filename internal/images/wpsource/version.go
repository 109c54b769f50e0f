package wpsource

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

var versionRE = regexp.MustCompile(`(?m)^\s*\$wp_version\s*=\s*['"]([^'"]+)['"]\s*;`)

// ParseVersion extracts $wp_version from the contents of wp-includes/version.php.
func ParseVersion(versionPHP []byte) (string, error) {
	m := versionRE.FindSubmatch(versionPHP)
	if m == nil {
		return "", fmt.Errorf("no $wp_version assignment found")
	}
	return string(m[1]), nil
}

// ReadVersion reads the WordPress version of the tree at dir.
func ReadVersion(dir string) (string, error) {
	p := filepath.Join(dir, "wp-includes", "version.php")
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("read WordPress version: %w (is %s a WordPress tree?)", err, dir)
	}
	v, err := ParseVersion(b)
	if err != nil {
		return "", fmt.Errorf("read WordPress version from %s: %w", p, err)
	}
	return v, nil
}
