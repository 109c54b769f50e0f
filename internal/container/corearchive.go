package container

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// shippedCore is the WordPress core an image ships: the tree itself (the
// web image's /usr/src/wordpress, as in the official image) or a
// zstd-compressed tar of it (the all-in-one image, to stay within its size
// budget).
type shippedCore interface {
	// version is the shipped $wp_version.
	version() (string, error)
	// copyTo copies the core into dst as copyCore does: version.php last,
	// existing files under wp-content kept.
	copyTo(dst string) error
	String() string
}

// coreTree is a core shipped as a folder.
type coreTree string

func (c coreTree) version() (string, error) { return readWPVersion(string(c)) }
func (c coreTree) copyTo(dst string) error  { return copyCore(string(c), dst) }
func (c coreTree) String() string           { return string(c) }

// coreArchive is a core shipped as a .tar.zst whose entries are under
// wordpress/ and whose first entry is wordpress/wp-includes/version.php, so
// that reading the version costs one small read (the recipe writes it so).
type coreArchive string

func (c coreArchive) String() string { return string(c) }

// shippedCoreAt is the archive when the image has one, else the tree.
func shippedCoreAt(archive, tree string) shippedCore {
	if _, err := os.Stat(archive); err == nil {
		return coreArchive(archive)
	}
	return coreTree(tree)
}

// archiveRoot is the folder the archive's entries are in.
const archiveRoot = "wordpress"

func (c coreArchive) version() (string, error) {
	var v string
	err := c.walk(func(rel string, hdr *tar.Header, r io.Reader) error {
		if rel != versionFile {
			return fmt.Errorf("first entry is %s, not %s", hdr.Name, versionFile)
		}
		b, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return err
		}
		if v, err = parseWPVersion(string(b)); err != nil {
			return err
		}
		return errStopWalk
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", c, err)
	}
	return v, nil
}

func (c coreArchive) copyTo(dst string) error {
	var versionPHP []byte
	var versionMode fs.FileMode
	err := c.walk(func(rel string, hdr *tar.Header, r io.Reader) error {
		if rel == versionFile {
			b, err := io.ReadAll(io.LimitReader(r, 1<<20))
			versionPHP, versionMode = b, fs.FileMode(hdr.Mode).Perm()
			return err
		}
		if rel == "." {
			return nil
		}
		target := filepath.Join(dst, rel)
		if keepExisting(rel) {
			if _, err := os.Lstat(target); err == nil {
				return nil
			}
		}
		return extractEntry(hdr, r, target)
	})
	if err == nil && versionPHP == nil {
		err = fmt.Errorf("no %s", versionFile)
	}
	if err == nil {
		err = writeCoreFile(filepath.Join(dst, versionFile), versionPHP, versionMode)
	}
	if err != nil {
		return fmt.Errorf("unpack WordPress from %s into %s: %w", c, dst, err)
	}
	return nil
}

// errStopWalk ends a walk early without an error.
var errStopWalk = errors.New("stop")

// walk calls fn for each entry with its path relative to archiveRoot. Names
// that are not below archiveRoot, or would leave it, are refused: the
// archive is the image's own, but nothing is written outside dst on its say.
func (c coreArchive) walk(fn func(rel string, hdr *tar.Header, r io.Reader) error) error {
	f, err := os.Open(string(c))
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, ok := archiveRel(hdr.Name)
		if !ok {
			return fmt.Errorf("entry %q is not inside %s/", hdr.Name, archiveRoot)
		}
		if err := fn(rel, hdr, tr); err != nil {
			if errors.Is(err, errStopWalk) {
				return nil
			}
			return err
		}
	}
}

// archiveRel turns "wordpress/a/b" into "a/b" (with the OS's separator) and
// "wordpress" or "wordpress/" into ".".
func archiveRel(name string) (string, bool) {
	clean := path.Clean(name)
	if clean == archiveRoot {
		return ".", true
	}
	rel, ok := strings.CutPrefix(clean, archiveRoot+"/")
	if !ok || !filepath.IsLocal(rel) {
		return "", false
	}
	return filepath.FromSlash(rel), true
}

// extractEntry writes one entry with the modes copyEntry gives a tree's.
func extractEntry(hdr *tar.Header, r io.Reader, target string) error {
	mode := fs.FileMode(hdr.Mode).Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(target, mode|0o700)
	case tar.TypeSymlink:
		// A WordPress tree has none, and a link could lead a later entry
		// out of the webroot.
		return fmt.Errorf("entry %q is a symbolic link", hdr.Name)
	case tar.TypeReg:
		// The recipe lists every folder before its files; a leaner archive
		// still unpacks.
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode|0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	case tar.TypeLink:
		// The recipe's tar lists every file once, so it writes none; one
		// skipped would be a core file missing.
		return fmt.Errorf("entry %q is a hard link", hdr.Name)
	}
	return nil // devices, fifos: not part of a WordPress tree
}

func writeCoreFile(name string, data []byte, mode fs.FileMode) error {
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode|0o600)
	if err != nil {
		return err
	}
	if _, err := out.Write(data); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
