package container

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseWPVersion(t *testing.T) {
	tests := []struct {
		src, want string
		ok        bool
	}{
		{"<?php\n/**\n * @global string $wp_version\n */\n$wp_version = '6.4.3';\n$wp_db_version = 56657;", "6.4.3", true},
		{`$wp_version = "6.5-RC1-57900";`, "6.5-RC1-57900", true},
		{`$wp_version='6.1';`, "6.1", true},
		{"<?php // no version here", "", false},
	}
	for _, tt := range tests {
		got, err := parseWPVersion(tt.src)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseWPVersion(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"6.4", "6.4", 0},
		{"6.4", "6.4.0", 0},
		{"6.4", "6.4.1", -1},
		{"6.10", "6.9", 1},
		{"6.5-RC1", "6.5", -1},
		{"6.5", "6.5-beta2", 1},
		{"6.5-beta2", "6.5-RC1", 1}, // plain string order of suffixes: "b" > "R"
		{"7.0", "6.9.9", 1},
		{"6.1.9", "6.4.3", -1},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := compareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopyCore(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeTree(t, src, map[string]string{
		"index.php":                          "core index",
		"wp-includes/version.php":            "<?php $wp_version = '6.4.3';",
		"wp-includes/load.php":               "core",
		"wp-content/themes/t/style.css":      "core theme",
		"wp-content/plugins/hello.php":       "core plugin",
		"wp-admin/css/colors/blue/style.css": "css",
	})
	if err := os.Symlink("load.php", filepath.Join(src, "wp-includes", "link.php")); err != nil {
		t.Fatal(err)
	}
	// The site already has its own copy of a theme file and a stale core file.
	writeTree(t, dst, map[string]string{
		"wp-content/themes/t/style.css": "site edit",
		"index.php":                     "half-copied",
	})
	if err := copyCore(src, dst); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"index.php":                          "core index",
		"wp-includes/version.php":            "<?php $wp_version = '6.4.3';",
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
	if l, err := os.Readlink(filepath.Join(dst, "wp-includes", "link.php")); err != nil || l != "load.php" {
		t.Errorf("symlink = %q, %v", l, err)
	}
	if v, err := readWPVersion(dst); err != nil || v != "6.4.3" {
		t.Errorf("readWPVersion = %q, %v", v, err)
	}
}
