package wpsource

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io/fs"
	"testing"
)

// entry is one archive member for tests; Link makes it a symlink, Dir a folder.
type entry struct {
	Name, Body, Link string
	Dir              bool
	Hard             bool
}

func tarGz(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Mode: 0o644}
		switch {
		case e.Dir:
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case e.Hard:
			h.Typeflag, h.Linkname = tar.TypeLink, e.Link
		case e.Link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.Link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.Body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.Body))
		}
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func zipBytes(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.Name, Method: zip.Deflate}
		switch {
		case e.Dir:
			fh.SetMode(fs.ModeDir | 0o755)
		case e.Link != "":
			fh.SetMode(fs.ModeSymlink | 0o777)
		default:
			fh.SetMode(0o644)
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if e.Link != "" {
			w.Write([]byte(e.Link))
		} else if !e.Dir {
			w.Write([]byte(e.Body))
		}
	}
	zw.Close()
	return buf.Bytes()
}

// release is a minimal WordPress release archive layout.
func release(version string) []entry {
	return []entry{
		{Name: "wordpress/", Dir: true},
		{Name: "wordpress/index.php", Body: "<?php // index\n"},
		{Name: "wordpress/wp-includes/", Dir: true},
		{Name: "wordpress/wp-includes/version.php", Body: "<?php\n/**\n * The WordPress version string.\n */\n$wp_version = '" + version + "';\n$wp_db_version = 57155;\n"},
		{Name: "wordpress/wp-content/themes/twentytwentyfour/style.css", Body: "/* theme */"},
	}
}
