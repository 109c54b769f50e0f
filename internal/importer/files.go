package importer

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// FilesFunc calls fn for every entry of a wp-content, names relative to
// the webroot ("wp-content/…"), as backup.Source.Files does.
type FilesFunc func(ctx context.Context, fn func(h *tar.Header, r io.Reader) error) error

// OpenFiles returns the entries of a wp-content given as a folder, a .tar,
// a .tar.gz or a .zip (told by content, not name). A folder may be
// wp-content itself or the folder holding it; an archive's members may be
// under wp-content/ or be wp-content's own entries (uploads/…).
func OpenFiles(p string) (FilesFunc, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read wp-content: %w", err)
	}
	if st.IsDir() {
		root := p
		if sub, err := os.Stat(filepath.Join(p, "wp-content")); err == nil && sub.IsDir() {
			root = filepath.Join(p, "wp-content")
		}
		return func(ctx context.Context, fn func(*tar.Header, io.Reader) error) error {
			return walkDir(ctx, root, fn)
		}, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read wp-content: %w", err)
	}
	magic := make([]byte, 512)
	n, _ := io.ReadFull(f, magic)
	f.Close()
	magic = magic[:n]
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")) || bytes.HasPrefix(magic, []byte("PK\x05\x06")):
		return func(ctx context.Context, fn func(*tar.Header, io.Reader) error) error {
			return walkZip(ctx, p, fn)
		}, nil
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		return func(ctx context.Context, fn func(*tar.Header, io.Reader) error) error {
			return walkTar(ctx, p, true, fn)
		}, nil
	case len(magic) >= 262 && string(magic[257:262]) == "ustar":
		return func(ctx context.Context, fn func(*tar.Header, io.Reader) error) error {
			return walkTar(ctx, p, false, fn)
		}, nil
	}
	return nil, fmt.Errorf("%s is neither a folder nor a .tar, .tar.gz or .zip archive: give wp-content as one of those with --files", p)
}

// rooted maps an archive member's name to one under wp-content/.
type rooted struct{ under bool }

func (r *rooted) name(n string, first bool) string {
	n = strings.TrimPrefix(n, "./")
	if first {
		c := path.Clean(n)
		r.under = c == "wp-content" || strings.HasPrefix(c, "wp-content/")
	}
	if r.under {
		return n
	}
	return "wp-content/" + n
}

func walkDir(ctx context.Context, root string, fn func(*tar.Header, io.Reader) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read wp-content: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := path.Join("wp-content", filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("read wp-content: %w", err)
		}
		h := &tar.Header{Name: name, Mode: int64(info.Mode().Perm()), ModTime: info.ModTime()}
		switch {
		case d.IsDir():
			h.Typeflag = tar.TypeDir
			return fn(h, nil)
		case info.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("read wp-content: %w", err)
			}
			h.Typeflag, h.Linkname = tar.TypeSymlink, t
			return fn(h, nil)
		case info.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("read wp-content: %w", err)
			}
			defer f.Close()
			h.Typeflag, h.Size = tar.TypeReg, info.Size()
			return fn(h, bufio.NewReaderSize(f, 64<<10))
		default:
			h.Typeflag = tar.TypeFifo // refused by the sanitizer, by name
			return fn(h, nil)
		}
	})
}

func walkTar(ctx context.Context, p string, gz bool, fn func(*tar.Header, io.Reader) error) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("read wp-content: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 256<<10)
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		r = zr
	}
	tr := tar.NewReader(r)
	var ro rooted
	for i := 0; ; i++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if i == 0 {
				return fmt.Errorf("%s is an empty archive", p)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w (is the archive complete?)", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		h.Name = ro.name(h.Name, i == 0)
		if err := fn(h, &tarBody{r: tr, name: p}); err != nil {
			return err
		}
	}
}

// tarBody names the archive when a member's data is cut short.
type tarBody struct {
	r    io.Reader
	name string
}

func (t *tarBody) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("read %s: %w (is the archive complete?)", t.name, err)
	}
	return n, err
}

func walkZip(ctx context.Context, p string, fn func(*tar.Header, io.Reader) error) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("read %s: %w (is the archive complete?)", p, err)
	}
	defer zr.Close()
	var ro rooted
	for i, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		mode := zf.Mode()
		h := &tar.Header{Name: ro.name(zf.Name, i == 0), Mode: int64(mode.Perm()), ModTime: zf.Modified}
		switch {
		case mode.IsDir() || strings.HasSuffix(zf.Name, "/"):
			h.Typeflag = tar.TypeDir
			if err := fn(h, nil); err != nil {
				return err
			}
			continue
		case mode&fs.ModeSymlink != 0:
			rc, err := zf.Open()
			if err != nil {
				return fmt.Errorf("read %s in %s: %w", zf.Name, p, err)
			}
			t, err := io.ReadAll(io.LimitReader(rc, 4097))
			rc.Close()
			if err != nil {
				return fmt.Errorf("read %s in %s: %w", zf.Name, p, err)
			}
			h.Typeflag, h.Linkname = tar.TypeSymlink, string(t)
			if err := fn(h, nil); err != nil {
				return err
			}
			continue
		case !mode.IsRegular():
			h.Typeflag = tar.TypeFifo
			if err := fn(h, nil); err != nil {
				return err
			}
			continue
		}
		if zf.UncompressedSize64 > 1<<40 {
			return fmt.Errorf("%s in %s claims %d bytes: refusing it", zf.Name, p, zf.UncompressedSize64)
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("read %s in %s: %w", zf.Name, p, err)
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(zf.UncompressedSize64)
		// archive/zip checks the size and the CRC as the entry is read.
		err = fn(h, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
