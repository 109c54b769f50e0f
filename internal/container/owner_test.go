package container

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEnsureOwnedCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	n, err := ensureOwned(dir, os.Getuid(), os.Getgid(), 0o750)
	if err != nil || n != 0 {
		t.Fatalf("ensureOwned = %d, %v", n, err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o750 {
		t.Fatalf("created %v, %v", fi, err)
	}
}

func TestEnsureOwnedFixesOnlyWrongEntries(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Log("not root: only the already-owned case can be checked")
	}
	dir := t.TempDir()
	for _, p := range []string{"x/y", "z"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "x", "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Getuid(), os.Getgid()
	if n, err := ensureOwned(dir, uid, gid, 0o755); err != nil || n != 0 {
		t.Fatalf("already owned: %d, %v", n, err)
	}
	if os.Geteuid() != 0 {
		return
	}
	// Top and one file foreign: both fixed, nothing else touched.
	for _, p := range []string{dir, filepath.Join(dir, "x", "f")} {
		if err := os.Lchown(p, 4242, 4242); err != nil {
			t.Fatal(err)
		}
	}
	n, err := ensureOwned(dir, uid, gid, 0o755)
	if err != nil || n != 2 {
		t.Fatalf("fix: %d, %v; want 2 entries", n, err)
	}
	// Top right, something below wrong: not walked.
	if err := os.Lchown(filepath.Join(dir, "z"), 4242, 4242); err != nil {
		t.Fatal(err)
	}
	if n, err := ensureOwned(dir, uid, gid, 0o755); err != nil || n != 0 {
		t.Fatalf("top owned: %d, %v; want no walk", n, err)
	}
}

func TestEnsureOwnedRejectsFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ensureOwned(f, os.Getuid(), os.Getgid(), 0o755); err == nil {
		t.Fatal("want an error for a file")
	}
}
