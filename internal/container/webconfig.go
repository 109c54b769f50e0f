package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// The web image's configuration is reached through two links, because the
// root file system may be read-only while /run is a tmpfs:
// contract.WPConfig -> configLink (made here) -> configSource.
const (
	configLink   = contract.WPConfigLink
	configSource = "/usr/share/wpstack/wp-config.php"
)

// wordpressConfigured reports whether any WORDPRESS_* variable is set (a
// NAME_FILE counts), the official image's test for writing a wp-config.php.
// Without one, WordPress's own setup wizard configures the site.
func wordpressConfigured(env environ) bool {
	for k := range env {
		if strings.HasPrefix(k, "WORDPRESS_") {
			return true
		}
	}
	return false
}

// linkConfig makes link (configLink) lead to source (the image's
// wp-config.php) when on, and removes it when not, so WordPress finds no
// configuration one level above the webroot and starts its setup wizard.
func linkConfig(link, source string, on bool) error {
	cur, err := os.Readlink(link)
	switch {
	case err == nil && on && cur == source:
		return nil
	case err == nil || !errors.Is(err, fs.ErrNotExist):
		if err := os.Remove(link); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", link, err)
		}
	}
	if !on {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return fmt.Errorf("create %s: %w (start the container as root)", filepath.Dir(link), err)
	}
	if err := os.Symlink(source, link); err != nil {
		return fmt.Errorf("link %s to %s: %w (start the container as root)", link, source, err)
	}
	return nil
}

// wizardNote is logged when the web image starts without configuration.
const wizardNote = "no WORDPRESS_* variable is set: no " + contract.WPConfig +
	", so WordPress's setup wizard asks for the database on the first visit (as the official image does); nothing waits for a database"
