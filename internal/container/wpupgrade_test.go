package container

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestInstallCoreVersions(t *testing.T) {
	image := map[string]string{
		"index.php":               "core 6.5",
		"wp-includes/version.php": "<?php $wp_version = '6.5';",
		"wp-content/index.php":    "silence",
	}
	tests := []struct {
		name     string
		present  string // "" = empty webroot
		wantVer  string
		wantSave bool
	}{
		{"empty folder gets the image's core", "", "6.5", false},
		{"newer core is kept", "6.6", "6.6", false},
		{"same core is kept", "6.5", "6.5", false},
		{"older core is upgraded after a copy is saved", "6.4.3", "6.5", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeTree(t, src, image)
			if tt.present != "" {
				writeTree(t, dst, map[string]string{
					"index.php":                  "core " + tt.present,
					"wp-includes/version.php":    "<?php $wp_version = '" + tt.present + "';",
					"wp-content/uploads/cat.jpg": "site content",
					"wp-content/themes/t/a.css":  "site theme",
				})
			}
			var logs bytes.Buffer
			if err := installCore(log.New(&logs, "", 0), coreTree(src), dst); err != nil {
				t.Fatal(err)
			}
			if v, err := readWPVersion(dst); err != nil || v != tt.wantVer {
				t.Errorf("version = %q, %v; want %q (log %s)", v, err, tt.wantVer, logs.String())
			}
			saved, _ := filepath.Glob(filepath.Join(dst, backupDir, "core-*.tar.gz"))
			if got := len(saved) == 1; got != tt.wantSave {
				t.Fatalf("saved copies %v, want one: %v", saved, tt.wantSave)
			}
			if tt.present != "" {
				if b, err := os.ReadFile(filepath.Join(dst, "wp-content/uploads/cat.jpg")); err != nil || string(b) != "site content" {
					t.Errorf("site content = %q, %v", b, err)
				}
			}
			if !tt.wantSave {
				return
			}
			names := tarNames(t, saved[0])
			want := []string{"index.php", "wp-includes/", "wp-includes/version.php"}
			if len(names) != len(want) {
				t.Fatalf("saved copy holds %v, want %v (core only: no wp-content)", names, want)
			}
			for i := range want {
				if names[i] != want[i] {
					t.Errorf("saved copy holds %v, want %v", names, want)
				}
			}
		})
	}
}

func tarNames(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	sort.Strings(names)
	return names
}
