package container

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNeedsUpgrade(t *testing.T) {
	for _, tc := range []struct {
		data, server string
		want         bool
	}{
		{"10.11.19-MariaDB", "11.8.9", true},
		{"11.8.9-MariaDB", "11.8.9", false},
		{"11.8.2-MariaDB", "11.8.9", false}, // a point release needs no upgrade
		{"", "11.8.9", true},                // unknown: as the official image, upgrade
		{"garbage", "11.8.9", true},
	} {
		if got := needsUpgrade(tc.data, tc.server); got != tc.want {
			t.Errorf("needsUpgrade(%q, %q) = %v, want %v", tc.data, tc.server, got, tc.want)
		}
	}
}

func TestDataDirVersion(t *testing.T) {
	dir := t.TempDir()
	if got := dataDirVersion(dir); got != "" {
		t.Errorf("empty dir: %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "mysql_upgrade_info"), []byte("10.5.8-MariaDB"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := dataDirVersion(dir); got != "10.5.8" {
		t.Errorf("mysql_upgrade_info: %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "mariadb_upgrade_info"), []byte("10.11.19-MariaDB\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := dataDirVersion(dir); got != "10.11.19" {
		t.Errorf("mariadb_upgrade_info first: %q", got)
	}
}

func TestTruthy(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "no": false, "FALSE": false, "1": true, "yes": true, "true": true} {
		if got := truthy(v); got != want {
			t.Errorf("truthy(%q) = %v", v, got)
		}
	}
}
