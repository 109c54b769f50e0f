package wpsource

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtractTarGzStripsWordPressFolder(t *testing.T) {
	dst := t.TempDir()
	entries := append(release("6.7.1"),
		entry{Name: "wordpress/wp-includes/alias.php", Link: "version.php"},
		entry{Name: "wordpress/wp-includes/hard.php", Link: "wordpress/wp-includes/version.php", Hard: true},
	)
	if err := ExtractTarGz(bytes.NewReader(tarGz(t, entries)), dst, "wordpress"); err != nil {
		t.Fatal(err)
	}
	v, err := ReadVersion(dst)
	if err != nil || v != "6.7.1" {
		t.Fatalf("ReadVersion = %q, %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "wordpress")); err == nil {
		t.Error("top-level wordpress/ folder was not stripped")
	}
	if target, err := os.Readlink(filepath.Join(dst, "wp-includes", "alias.php")); err != nil || target != "version.php" {
		t.Errorf("in-tree symlink = %q, %v", target, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "wp-includes", "hard.php")); err != nil {
		t.Errorf("hard link: %v", err)
	}
}

func TestExtractRefusesEscapes(t *testing.T) {
	outside := t.TempDir()
	tests := []struct {
		name    string
		entries []entry
		wantErr string
	}{
		{"dotdot", []entry{{Name: "wordpress/../../evil.php", Body: "x"}}, "climbs out"},
		{"dotdot after strip", []entry{{Name: "wordpress/wp-admin/../../../evil.php", Body: "x"}}, "climbs out"},
		{"absolute", []entry{{Name: "/etc/evil", Body: "x"}}, "absolute path"},
		{"symlink out relative", []entry{{Name: "wordpress/l", Link: "../../etc/passwd"}}, "outside the WordPress tree"},
		{"symlink out absolute", []entry{{Name: "wordpress/l", Link: outside}}, "outside the WordPress tree"},
		{"write through symlink", []entry{
			{Name: "wordpress/d/", Dir: true},
			{Name: "wordpress/l", Link: "d"},
			{Name: "wordpress/l/evil.php", Body: "x"},
		}, "inside a symlink"},
		{"symlink chain out", []entry{
			{Name: "wordpress/a/b/", Dir: true},
			{Name: "wordpress/a/b/up", Link: "../.."},
			{Name: "wordpress/esc", Link: "a/b/up/.."},
		}, "outside the WordPress tree"},
		{"hard link out", []entry{{Name: "wordpress/h", Link: "../../etc/passwd", Hard: true}}, "outside the WordPress tree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "tree")
			os.Mkdir(dst, 0o755)
			err := ExtractTarGz(bytes.NewReader(tarGz(t, tt.entries)), dst, "wordpress")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(parent, "evil.php")); err == nil {
				t.Fatal("a file was written outside the tree")
			}
		})
	}
}

func TestExtractZip(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "wordpress-6.7.1.zip")
	os.WriteFile(good, zipBytes(t, release("6.7.1")), 0o644)
	dst := filepath.Join(dir, "tree")
	os.Mkdir(dst, 0o755)
	if err := ExtractZip(good, dst, "wordpress"); err != nil {
		t.Fatal(err)
	}
	if v, err := ReadVersion(dst); err != nil || v != "6.7.1" {
		t.Fatalf("ReadVersion = %q, %v", v, err)
	}

	for name, entries := range map[string][]entry{
		"dotdot":  {{Name: "wordpress/../../evil.php", Body: "x"}},
		"symlink": {{Name: "wordpress/l", Link: "/etc/passwd"}},
	} {
		bad := filepath.Join(dir, name+".zip")
		os.WriteFile(bad, zipBytes(t, entries), 0o644)
		d := t.TempDir()
		if err := ExtractZip(bad, d, "wordpress"); err == nil {
			t.Errorf("%s: zip with an escaping entry was unpacked", name)
		}
	}
}

func TestHashTree(t *testing.T) {
	mk := func() string {
		d := t.TempDir()
		if err := ExtractTarGz(bytes.NewReader(tarGz(t, release("6.7.1"))), d, "wordpress"); err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := mk(), mk()
	ha, _ := HashTree(a)
	hb, _ := HashTree(b)
	if ha == "" || ha != hb {
		t.Fatalf("same trees hash differently: %s vs %s", ha, hb)
	}
	os.WriteFile(filepath.Join(b, "index.php"), []byte("<?php // changed\n"), 0o644)
	if hc, _ := HashTree(b); hc == ha {
		t.Error("changed content, same hash")
	}
	os.WriteFile(filepath.Join(b, "index.php"), []byte("<?php // index\n"), 0o644)
	os.Chmod(filepath.Join(b, "index.php"), 0o755)
	if hc, _ := HashTree(b); hc == ha {
		t.Error("changed mode, same hash")
	}
}
