package dockerbuild

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// fixedTime is the modification time of generated context entries, so the
// same inputs always give the same bytes.
var fixedTime = time.Unix(0, 0).UTC()

// AddBytes writes one regular file entry.
func AddBytes(tw *tar.Writer, name string, mode int64, data []byte) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: fixedTime, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s to build context: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("write %s to build context: %w", name, err)
	}
	return nil
}

// AddFile streams the host file src into the archive as name with mode.
func AddFile(tw *tar.Writer, name, src string, mode int64) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s for the build context: %w", src, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", src, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: st.Size(), ModTime: fixedTime, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s to build context: %w", name, err)
	}
	if n, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("copy %s into build context: %w", src, err)
	} else if n != st.Size() {
		return fmt.Errorf("%s changed size while being archived", src)
	}
	return nil
}

// AddTree writes the folder dir under prefix, in lexical order, owned by
// root. Symlinks are kept only when they stay inside the tree; anything else
// (devices, sockets, links out) is refused, so a context never smuggles host
// files into an image.
func AddTree(tw *tar.Writer, prefix, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk %s: %w", dir, err)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		hdr := &tar.Header{Name: name, Mode: int64(info.Mode().Perm()), ModTime: info.ModTime().UTC().Truncate(time.Second), Format: tar.FormatPAX}
		switch {
		case info.IsDir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
			return tw.WriteHeader(hdr)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("read link %s: %w", p, err)
			}
			if !LinkStaysInside(filepath.ToSlash(rel), target) {
				return fmt.Errorf("%s links to %s, outside %s; resolve the link or remove it", p, target, dir)
			}
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
			return tw.WriteHeader(hdr)
		case info.Mode().IsRegular():
			hdr.Typeflag, hdr.Size = tar.TypeReg, info.Size()
			if err := tw.WriteHeader(hdr); err != nil {
				return fmt.Errorf("write %s to build context: %w", name, err)
			}
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("open %s: %w", p, err)
			}
			_, err = io.CopyN(tw, f, info.Size())
			f.Close()
			if err != nil {
				return fmt.Errorf("copy %s into build context: %w", p, err)
			}
			return nil
		default:
			return fmt.Errorf("%s is not a regular file, folder or link (%s); remove it from the tree", p, info.Mode().Type())
		}
	})
}

// LinkStaysInside reports whether a symlink at rel (slash-separated,
// relative to a tree root) pointing at target resolves inside that tree.
func LinkStaysInside(rel, target string) bool {
	if target == "" || path.IsAbs(target) {
		return false
	}
	joined := path.Join(path.Dir(rel), target)
	return joined != ".." && !strings.HasPrefix(joined, "../")
}
