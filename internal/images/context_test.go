package images

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTar(t *testing.T, b []byte) map[string]*tar.Header {
	t.Helper()
	out := map[string]*tar.Header{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = h
	}
}

func testTree(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	os.MkdirAll(filepath.Join(d, "wp-includes"), 0o755)
	os.WriteFile(filepath.Join(d, "wp-includes", "version.php"), []byte("<?php $wp_version = '6.7.1';"), 0o644)
	os.WriteFile(filepath.Join(d, "index.php"), []byte("<?php"), 0o644)
	return d
}

func TestWriteContext(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wpstack")
	os.WriteFile(bin, []byte("\x7fELF fake"), 0o700)
	files := []RecipeFile{{Name: "Dockerfile", Data: []byte("FROM x\n")}, {Name: "php.ini", Data: []byte("a=1\n")}}

	var web bytes.Buffer
	tw := tar.NewWriter(&web)
	if err := writeContext(tw, contextSpec{Files: files, Binary: bin, Tree: testTree(t)}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	got := readTar(t, web.Bytes())
	for _, name := range []string{"Dockerfile", "php.ini", "wpstack-init", "wordpress/", "wordpress/index.php", "wordpress/wp-includes/", "wordpress/wp-includes/version.php"} {
		if got[name] == nil {
			t.Errorf("web context lacks %s; has %v", name, keys(got))
		}
	}
	if h := got["wpstack-init"]; h != nil && (h.Mode != 0o755 || h.Typeflag != tar.TypeReg) {
		t.Errorf("wpstack entry mode %o type %c, want 0755 regular", h.Mode, h.Typeflag)
	}
	for name, h := range got {
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s owned by %d:%d, want root", name, h.Uid, h.Gid)
		}
	}

	var db bytes.Buffer
	tw = tar.NewWriter(&db)
	if err := writeContext(tw, contextSpec{Files: files, Binary: bin}); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	if got := readTar(t, db.Bytes()); len(got) != 3 {
		t.Errorf("db context = %v, want Dockerfile, php.ini, wpstack", keys(got))
	}
}

func TestWriteContextRefusesLinksOut(t *testing.T) {
	tree := testTree(t)
	os.Symlink("/etc/passwd", filepath.Join(tree, "passwd"))
	bin := filepath.Join(t.TempDir(), "wpstack")
	os.WriteFile(bin, []byte("\x7fELF"), 0o700)
	tw := tar.NewWriter(io.Discard)
	err := writeContext(tw, contextSpec{Files: []RecipeFile{{Name: "Dockerfile"}}, Binary: bin, Tree: tree})
	if err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("error = %v, want a refusal of the link out of the tree", err)
	}
}

func TestBinarySHA256RefusesNonELF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wpstack")
	os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	if _, err := binarySHA256(p); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Fatalf("error = %v", err)
	}
}

func keys(m map[string]*tar.Header) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
