package container

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/atomicfile"
)

// backupDir, inside the webroot, keeps a copy of each core an upgrade
// replaced, for a manual rollback. The web recipes refuse to serve it.
const backupDir = ".wpstack-backup"

// upgradeCore replaces an older core in dst with the image's newer one in
// src. It first saves what it replaces (every file outside wp-content) to
// dst/.wpstack-backup/core-<version>-<time>.tar.gz. wp-content (themes,
// plugins, uploads) is never touched. The database upgrade that may follow
// is WordPress's own (wp-admin/upgrade.php), which `wpstack up` runs.
func upgradeCore(logger *log.Logger, src shippedCore, dst, present, shipped string) error {
	saved, err := saveCore(dst, present, time.Now())
	if err != nil {
		return fmt.Errorf("save WordPress %s before upgrading it: %w (nothing was changed)", present, err)
	}
	logger.Printf("upgrading WordPress %s in %s to the image's %s; the replaced core is saved in %s", present, dst, shipped, saved)
	if err := src.copyTo(dst); err != nil {
		return err
	}
	logger.Printf("WordPress core upgraded to %s", shipped)
	return nil
}

// saveCore archives the core files of root (all but wp-content and earlier
// backups) and returns the archive's path.
func saveCore(root, version string, now time.Time) (string, error) {
	dir := filepath.Join(root, backupDir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	name := fmt.Sprintf("core-%s-%s.tar.gz", tagSafeName(version), now.UTC().Format("20060102T150405Z"))
	final := filepath.Join(dir, name)
	// Named only once complete and on disk: a start killed midway leaves no
	// archive that looks whole.
	err := atomicfile.WriteWith(final, atomicfile.Options{Mode: 0o600}, func(w io.Writer) error {
		gz := gzip.NewWriter(w)
		tw := tar.NewWriter(gz)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err != nil || rel == "." {
				return err
			}
			if rel == backupDir || rel == "wp-content" {
				return filepath.SkipDir
			}
			return addToTar(tw, path, rel, d)
		})
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = gz.Close()
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return final, nil
}

func addToTar(tw *tar.Writer, path, rel string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	var link string
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	} else if !info.Mode().IsRegular() && !info.IsDir() {
		return nil
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = filepath.ToSlash(rel)
	if info.IsDir() {
		hdr.Name += "/"
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// tagSafeName keeps a version usable in a file name.
func tagSafeName(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, v)
}
