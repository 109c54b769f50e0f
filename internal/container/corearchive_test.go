package container

import (
	"archive/tar"
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

type archiveEntry struct {
	name, body string
	typ        byte // 0: a regular file
	link       string
}

// writeCoreArchive writes entries, in order, as the all-in-one recipe does:
// a tar compressed with zstd.
func writeCoreArchive(t *testing.T, entries []archiveEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if e.typ != 0 {
			hdr.Typeflag, hdr.Size, hdr.Linkname = e.typ, 0, e.link
			if e.typ == tar.TypeDir {
				hdr.Mode = 0o755
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "wordpress.tar.zst")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func coreEntries(version string) []archiveEntry {
	return []archiveEntry{
		{name: "wordpress/wp-includes/version.php", body: "<?php $wp_version = '" + version + "';"},
		{name: "wordpress/", typ: tar.TypeDir},
		{name: "wordpress/index.php", body: "core index"},
		{name: "wordpress/wp-admin/", typ: tar.TypeDir},
		{name: "wordpress/wp-admin/css/colors/blue/style.css", body: "css"},
		{name: "wordpress/wp-content/", typ: tar.TypeDir},
		{name: "wordpress/wp-content/plugins/hello.php", body: "core plugin"},
		{name: "wordpress/wp-content/themes/t/style.css", body: "core theme"},
		{name: "wordpress/wp-includes/", typ: tar.TypeDir},
		{name: "wordpress/wp-includes/load.php", body: "core"},
	}
}

func TestCoreArchiveCopy(t *testing.T) {
	core := coreArchive(writeCoreArchive(t, coreEntries("6.8.1")))
	if v, err := core.version(); err != nil || v != "6.8.1" {
		t.Fatalf("version = %q, %v", v, err)
	}
	dst := t.TempDir()
	// The site already has its own copy of a theme file and a stale core file.
	writeTree(t, dst, map[string]string{
		"wp-content/themes/t/style.css": "site edit",
		"index.php":                     "half-copied",
	})
	if err := core.copyTo(dst); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"index.php":                          "core index",
		"wp-includes/version.php":            "<?php $wp_version = '6.8.1';",
		"wp-includes/load.php":               "core",
		"wp-content/themes/t/style.css":      "site edit",
		"wp-content/plugins/hello.php":       "core plugin",
		"wp-admin/css/colors/blue/style.css": "css",
	}
	for p, c := range want {
		b, err := os.ReadFile(filepath.Join(dst, p))
		if err != nil || string(b) != c {
			t.Errorf("%s = %q, %v; want %q", p, b, err, c)
		}
	}
	// Modes as a tree copy gives them: owner-writable.
	fi, err := os.Stat(filepath.Join(dst, "wp-includes", "version.php"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("version.php mode = %v, %v", fi.Mode(), err)
	}
}

// An archive that is not laid out as the recipe writes it, or that names a
// path outside the core, fails with nothing written outside the webroot.
func TestCoreArchiveRefuses(t *testing.T) {
	head := archiveEntry{name: "wordpress/wp-includes/version.php", body: "<?php $wp_version = '6.8';"}
	tests := []struct {
		name    string
		entries []archiveEntry
		where   string // "version" or "copy": which step fails
		want    string
	}{
		{"version.php not first", []archiveEntry{{name: "wordpress/index.php", body: "x"}, head}, "version", "first entry"},
		{"no $wp_version", []archiveEntry{{name: head.name, body: "<?php"}}, "version", "$wp_version"},
		{"entry leaves the core", []archiveEntry{head, {name: "wordpress/../../escaped.php", body: "x"}}, "copy", "not inside"},
		{"absolute entry", []archiveEntry{head, {name: "/tmp/escaped.php", body: "x"}}, "copy", "not inside"},
		{"entry outside wordpress/", []archiveEntry{head, {name: "other/escaped.php", body: "x"}}, "copy", "not inside"},
		{"symbolic link", []archiveEntry{head, {name: "wordpress/wp-content", typ: tar.TypeSymlink, link: "/etc"}}, "copy", "symbolic link"},
		{"hard link", []archiveEntry{head, {name: "wordpress/index.php", typ: tar.TypeLink, link: "wordpress/wp-includes/version.php"}}, "copy", "hard link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core := coreArchive(writeCoreArchive(t, tt.entries))
			parent := t.TempDir()
			dst := filepath.Join(parent, "html")
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			var err error
			if tt.where == "version" {
				_, err = core.version()
			} else {
				err = core.copyTo(dst)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one saying %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(parent, "escaped.php")); err == nil {
				t.Error("a file was written outside the webroot")
			}
			if _, err := os.Stat(filepath.Join(dst, versionFile)); err == nil {
				t.Error("version.php was written although the unpacking failed")
			}
		})
	}
}

// installCore treats an archive as it does a tree: copied into an empty
// webroot, upgrading an older core after saving it.
func TestInstallCoreFromArchive(t *testing.T) {
	core := coreArchive(writeCoreArchive(t, coreEntries("6.8.1")))
	dst := t.TempDir()
	writeTree(t, dst, map[string]string{
		"index.php":                  "core 6.1",
		"wp-includes/version.php":    "<?php $wp_version = '6.1.9';",
		"wp-content/uploads/cat.jpg": "site content",
	})
	var logs bytes.Buffer
	if err := installCore(log.New(&logs, "", 0), core, dst); err != nil {
		t.Fatal(err)
	}
	if v, err := readWPVersion(dst); err != nil || v != "6.8.1" {
		t.Errorf("version = %q, %v (log %s)", v, err, logs.String())
	}
	if saved, _ := filepath.Glob(filepath.Join(dst, backupDir, "core-6.1.9-*.tar.gz")); len(saved) != 1 {
		t.Errorf("saved copies %v, want one", saved)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "wp-content/uploads/cat.jpg")); err != nil || string(b) != "site content" {
		t.Errorf("site content = %q, %v", b, err)
	}
}

func TestShippedCoreAt(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "wordpress.tar.zst")
	tree := filepath.Join(dir, "wordpress")
	if got := shippedCoreAt(archive, tree); got != coreTree(tree) {
		t.Errorf("without an archive: %v, want the tree", got)
	}
	if err := os.WriteFile(archive, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := shippedCoreAt(archive, tree); got != coreArchive(archive) {
		t.Errorf("with an archive: %v, want it", got)
	}
}
