package wpsource

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	wp := filepath.Join(dir, "wp")
	os.MkdirAll(filepath.Join(wp, "wp-includes"), 0o755)
	os.WriteFile(filepath.Join(wp, "wp-includes", "version.php"), []byte("<?php $wp_version = '6.7.1';"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	for _, n := range []string{"wp.zip", "wp.tar.gz", "wp.tgz", "wp.rar"} {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644)
	}

	tests := []struct {
		spec    string
		kind    Kind
		value   string
		wantErr string
	}{
		{spec: "", kind: KindDefault},
		{spec: "  ", kind: KindDefault},
		{spec: "debian", kind: KindDebian},
		{spec: "https://wordpress.org/wordpress-6.7.1.tar.gz", kind: KindURL, value: "https://wordpress.org/wordpress-6.7.1.tar.gz"},
		{spec: "https://wordpress.org/wordpress-6.7.1.zip", kind: KindURL, value: "https://wordpress.org/wordpress-6.7.1.zip"},
		{spec: "http://wordpress.org/latest.tar.gz", wantErr: "only https"},
		{spec: "https://wordpress.org/download/", wantErr: ".zip or .tar.gz"},
		{spec: "https://", wantErr: "not a valid URL"},
		{spec: wp, kind: KindFolder, value: wp},
		{spec: empty, wantErr: "no wp-includes/version.php"},
		{spec: filepath.Join(dir, "wp.zip"), kind: KindArchive, value: filepath.Join(dir, "wp.zip")},
		{spec: filepath.Join(dir, "wp.tar.gz"), kind: KindArchive, value: filepath.Join(dir, "wp.tar.gz")},
		{spec: filepath.Join(dir, "wp.tgz"), kind: KindArchive, value: filepath.Join(dir, "wp.tgz")},
		{spec: filepath.Join(dir, "wp.rar"), wantErr: "must be .zip or .tar.gz"},
		{spec: "latest", wantErr: "accepted forms"},
		{spec: filepath.Join(dir, "missing.zip"), wantErr: "accepted forms"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseSpec(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSpec(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSpec(%q): %v", tt.spec, err)
			}
			if got.Kind != tt.kind || got.Value != tt.value {
				t.Fatalf("ParseSpec(%q) = %+v, want {%s %s}", tt.spec, got, tt.kind, tt.value)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"<?php\n$wp_version = '6.7.1';\n", "6.7.1", true},
		{"<?php\n$wp_version = \"6.1.9\";\n", "6.1.9", true},
		{"<?php\n  $wp_version   =   '6.8-beta2-59760';", "6.8-beta2-59760", true},
		{"<?php\n// $wp_version = '1.0';\n$wp_version = '6.0';\n", "6.0", true},
		{"<?php\n$wp_db_version = 57155;\n", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseVersion([]byte(tt.in))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseVersion(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
