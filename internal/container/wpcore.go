package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// versionFile is where WordPress keeps $wp_version, relative to its root.
const versionFile = "wp-includes/version.php"

var wpVersionRE = regexp.MustCompile(`\$wp_version\s*=\s*['"]([^'"]+)['"]\s*;`)

// parseWPVersion extracts $wp_version from the text of version.php.
func parseWPVersion(src string) (string, error) {
	m := wpVersionRE.FindStringSubmatch(src)
	if m == nil {
		return "", errors.New("no $wp_version assignment found")
	}
	return m[1], nil
}

// readWPVersion returns the WordPress version of the tree at root, "" with
// fs.ErrNotExist when there is no core there.
func readWPVersion(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, versionFile))
	if err != nil {
		return "", err
	}
	v, err := parseWPVersion(string(b))
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(root, versionFile), err)
	}
	return v, nil
}

// compareVersions orders WordPress versions: "6.4" < "6.4.1" < "6.5-RC1" <
// "6.5". It returns -1, 0 or 1.
func compareVersions(a, b string) int {
	am, as, _ := strings.Cut(a, "-")
	bm, bs, _ := strings.Cut(b, "-")
	ap, bp := strings.Split(am, "."), strings.Split(bm, ".")
	for i := 0; i < max(len(ap), len(bp)); i++ {
		x, y := versionPart(ap, i), versionPart(bp, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case as == bs:
		return 0
	case as == "": // a release is newer than its pre-releases
		return 1
	case bs == "":
		return -1
	case as < bs:
		return -1
	}
	return 1
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, err := strconv.Atoi(parts[i])
	if err != nil {
		return 0
	}
	return n
}

// copyCore copies the WordPress tree src into dst, which has no core yet.
// version.php goes last, so an interrupted copy is redone on the next start.
// Existing files under wp-content are kept: they are the site's, not core's.
func copyCore(src, dst string) error {
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == versionFile {
			return nil
		}
		target := filepath.Join(dst, rel)
		if keepExisting(rel) {
			if _, err := os.Lstat(target); err == nil {
				return nil
			}
		}
		return copyEntry(path, target, d)
	})
	if err != nil {
		return fmt.Errorf("copy WordPress from %s to %s: %w", src, dst, err)
	}
	vsrc := filepath.Join(src, versionFile)
	if err := copyFile(vsrc, filepath.Join(dst, versionFile)); err != nil {
		return fmt.Errorf("copy WordPress from %s to %s: %w", src, dst, err)
	}
	return nil
}

func keepExisting(rel string) bool {
	return strings.HasPrefix(rel, "wp-content"+string(filepath.Separator))
}

func copyEntry(path, target string, d fs.DirEntry) error {
	switch {
	case d.IsDir():
		info, err := d.Info()
		if err != nil {
			return err
		}
		// Owner-writable whatever the source says: the copy belongs to the
		// service user, who must be able to update it.
		if err := os.MkdirAll(target, info.Mode().Perm()|0o700); err != nil {
			return err
		}
		return nil
	case d.Type()&fs.ModeSymlink != 0:
		link, err := os.Readlink(path)
		if err != nil {
			return err
		}
		_ = os.Remove(target)
		return os.Symlink(link, target)
	case d.Type().IsRegular():
		return copyFile(path, target)
	}
	return nil // sockets, devices: not part of a WordPress tree
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm()|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
