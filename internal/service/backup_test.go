package service

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestFreeName(t *testing.T) {
	dir := t.TempDir()
	stem := filepath.Join(dir, "blog-20261201-101010")
	tests := []struct {
		have []string
		want string
	}{
		{nil, "blog-20261201-101010.wpbackup"},
		{[]string{"blog-20261201-101010.wpbackup"}, "blog-20261201-101010-2.wpbackup"},
		{[]string{"blog-20261201-101010.wpbackup", "blog-20261201-101010-2.wpbackup"}, "blog-20261201-101010-3.wpbackup"},
	}
	for _, tt := range tests {
		for _, h := range tt.have {
			if err := os.WriteFile(filepath.Join(dir, h), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if got := filepath.Base(freeName(stem, ".wpbackup")); got != tt.want {
			t.Errorf("with %v: %s, want %s", tt.have, got, tt.want)
		}
	}
}

func TestRemoveStalePartials(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".partial-blog-1.wpbackup-123", ".partial-blog-2.wpbackup-456", ".partial-shop-1.wpbackup-7", "blog-1.wpbackup"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removeStalePartials(context.Background(), dir, "blog-")
	ents, _ := os.ReadDir(dir)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	if len(left) != 2 || left[0] != ".partial-shop-1.wpbackup-7" || left[1] != "blog-1.wpbackup" {
		t.Errorf("left %v: want only another site's partial and the complete backup", left)
	}
}
