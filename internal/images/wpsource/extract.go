package wpsource

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/wpstack/wpstack/internal/images/dockerbuild"
)

// maxExtractBytes bounds what one archive may unpack to; WordPress is ~80 MB,
// so anything near this is not a WordPress release.
const maxExtractBytes = 2 << 30

// extractor writes archive entries under root without ever following a link
// or leaving root: names are cleaned and checked, parents are checked for
// symlinks before every write, and links are verified once all is written.
type extractor struct {
	root  string
	strip string // leading folder removed from every entry, e.g. "wordpress"
	total int64
	links []string
}

// ExtractTarGz unpacks a gzip-compressed tar into dst, dropping a leading
// strip/ folder.
func ExtractTarGz(r io.Reader, dst, strip string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("read gzip: %w", err)
	}
	defer zr.Close()
	return ExtractTar(zr, dst, strip)
}

// ExtractTar unpacks a tar stream into dst, dropping a leading strip/ folder.
func ExtractTar(r io.Reader, dst, strip string) error {
	x := &extractor{root: dst, strip: strip}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		rel, skip, err := x.clean(hdr.Name)
		if err != nil {
			return err
		}
		if skip {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = x.dir(rel)
		case tar.TypeReg, tar.TypeRegA:
			err = x.file(rel, hdr.FileInfo().Mode(), tr)
		case tar.TypeSymlink:
			err = x.symlink(rel, hdr.Linkname)
		case tar.TypeLink:
			err = x.hardlink(rel, hdr.Linkname)
		case tar.TypeXGlobalHeader, tar.TypeXHeader:
		default:
			err = fmt.Errorf("archive entry %s has unsupported type %q; only files, folders and links are accepted", hdr.Name, hdr.Typeflag)
		}
		if err != nil {
			return err
		}
	}
	return x.finish()
}

// ExtractZip unpacks the zip file at src into dst, dropping a leading strip/ folder.
func ExtractZip(src, dst, strip string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("open zip %s: %w", src, err)
	}
	defer zr.Close()
	x := &extractor{root: dst, strip: strip}
	for _, f := range zr.File {
		rel, skip, err := x.clean(f.Name)
		if err != nil {
			return err
		}
		if skip {
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			err = x.dir(rel)
		case mode&fs.ModeSymlink != 0:
			err = x.zipSymlink(rel, f)
		case mode.IsRegular():
			var rc io.ReadCloser
			if rc, err = f.Open(); err == nil {
				err = x.file(rel, mode, rc)
				rc.Close()
			}
		default:
			err = fmt.Errorf("archive entry %s has unsupported type %s; only files, folders and links are accepted", f.Name, mode.Type())
		}
		if err != nil {
			return err
		}
	}
	return x.finish()
}

func (x *extractor) zipSymlink(rel string, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	target, err := io.ReadAll(io.LimitReader(rc, 4096))
	if err != nil {
		return err
	}
	return x.symlink(rel, string(target))
}

// clean turns an entry name into a slash path relative to root, or says to
// skip it (the stripped folder itself).
func (x *extractor) clean(name string) (rel string, skip bool, err error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if path.IsAbs(n) {
		return "", false, fmt.Errorf("archive entry %q has an absolute path; refusing to unpack it", name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", false, fmt.Errorf("archive entry %q climbs out of the archive with ..; refusing to unpack it", name)
		}
	}
	n = path.Clean(n)
	if x.strip != "" {
		if n == x.strip {
			return "", true, nil
		}
		n = strings.TrimPrefix(n, x.strip+"/")
	}
	if n == "." || n == "" {
		return "", true, nil
	}
	return n, false, nil
}

// prepare makes the parents of rel, refusing to pass through a symlink, and
// removes a non-folder already at rel so nothing is written through it.
func (x *extractor) prepare(rel string) (string, error) {
	parts := strings.Split(rel, "/")
	cur := x.root
	for _, p := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, p)
		st, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(cur, 0o755); err != nil {
				return "", err
			}
		case err != nil:
			return "", err
		case st.Mode()&fs.ModeSymlink != 0:
			return "", fmt.Errorf("archive entry %q is inside a symlink; refusing to write through it", rel)
		case !st.IsDir():
			return "", fmt.Errorf("archive entry %q is inside %s, which is not a folder", rel, p)
		}
	}
	full := filepath.Join(x.root, filepath.FromSlash(rel))
	if st, err := os.Lstat(full); err == nil && !st.IsDir() {
		if err := os.Remove(full); err != nil {
			return "", err
		}
	}
	return full, nil
}

func (x *extractor) dir(rel string) error {
	full, err := x.prepare(rel)
	if err != nil {
		return err
	}
	if st, err := os.Lstat(full); err == nil && st.IsDir() {
		return nil
	}
	return os.Mkdir(full, 0o755)
}

func (x *extractor) file(rel string, mode fs.FileMode, r io.Reader) error {
	full, err := x.prepare(rel)
	if err != nil {
		return err
	}
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("unpack %s: %w", rel, err)
	}
	n, err := io.Copy(f, io.LimitReader(r, maxExtractBytes-x.total+1))
	x.total += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("unpack %s: %w", rel, err)
	}
	if x.total > maxExtractBytes {
		return fmt.Errorf("archive unpacks to more than %d bytes; it is not a WordPress release", int64(maxExtractBytes))
	}
	return nil
}

func (x *extractor) symlink(rel, target string) error {
	if !dockerbuild.LinkStaysInside(rel, target) {
		return fmt.Errorf("archive entry %q links to %q, outside the WordPress tree; refusing to unpack it", rel, target)
	}
	full, err := x.prepare(rel)
	if err != nil {
		return err
	}
	x.links = append(x.links, full)
	return os.Symlink(target, full)
}

func (x *extractor) hardlink(rel, target string) error {
	trel, skip, err := x.clean(target)
	if err != nil || skip {
		return fmt.Errorf("archive entry %q hard-links to %q, outside the WordPress tree; refusing to unpack it", rel, target)
	}
	src := filepath.Join(x.root, filepath.FromSlash(trel))
	if st, err := os.Lstat(src); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("archive entry %q hard-links to %q, which is not a file unpacked before it", rel, target)
	}
	full, err := x.prepare(rel)
	if err != nil {
		return err
	}
	return os.Link(src, full)
}

// finish checks that every symlink, followed to the end of its chain, lands
// inside root: a lexical check per link cannot see chains such as a link to
// "x/.." where x is itself a link.
func (x *extractor) finish() error {
	if len(x.links) == 0 {
		return nil
	}
	root, err := filepath.EvalSymlinks(x.root)
	if err != nil {
		return err
	}
	for _, l := range x.links {
		real, err := filepath.EvalSymlinks(l)
		if err != nil {
			return fmt.Errorf("archive link %s does not resolve: %w", l, err)
		}
		if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
			return fmt.Errorf("archive link %s resolves to %s, outside the WordPress tree; refusing it", l, real)
		}
	}
	return nil
}
