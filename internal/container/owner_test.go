package container

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
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

// The walked folder is written while it is walked: directories renamed
// and swapped for symlinks to a folder outside, files swapped for
// symlinks to files outside, hard links to files outside. Nothing outside
// may change owner.
func TestEnsureOwnedRaceStaysInside(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test changes owners: run it as root")
	}
	base := t.TempDir()
	walked, outside := filepath.Join(base, "walked"), filepath.Join(base, "outside")
	const foreign, target, keep = 4242, 4343, 4444
	var outsideFiles []string
	for i := 0; i < 50; i++ {
		p := filepath.Join(outside, fmt.Sprint("d", i%5), fmt.Sprint("f", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		outsideFiles = append(outsideFiles, p, filepath.Dir(p))
	}
	outsideFiles = append(outsideFiles, outside)
	for _, p := range outsideFiles {
		if err := os.Lchown(p, keep, keep); err != nil {
			t.Fatal(err)
		}
	}
	// The tree to walk: a few directories of files, all foreign.
	mkTree := func() {
		for d := 0; d < 8; d++ {
			for f := 0; f < 40; f++ {
				p := filepath.Join(walked, fmt.Sprint("d", d), fmt.Sprint("f", f))
				_ = os.MkdirAll(filepath.Dir(p), 0o755)
				_ = os.WriteFile(p, nil, 0o644)
			}
		}
		_ = filepath.WalkDir(walked, func(p string, _ fs.DirEntry, err error) error {
			if err == nil {
				_ = os.Lchown(p, foreign, foreign)
			}
			return nil
		})
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	swapper := func(d int) {
		defer wg.Done()
		dir := filepath.Join(walked, fmt.Sprint("d", d))
		aside := dir + ".aside"
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Directory swapped for a symlink to outside, then back.
			if os.Rename(dir, aside) == nil {
				_ = os.Symlink(filepath.Join(outside, "d0"), dir)
				_ = os.Remove(dir)
				_ = os.Rename(aside, dir)
			}
			// File swapped for a symlink and a hard link to a file outside.
			f := filepath.Join(dir, fmt.Sprint("f", i%40))
			if os.Remove(f) == nil {
				if i%2 == 0 {
					_ = os.Symlink(outsideFiles[0], f)
				} else {
					_ = os.Link(outsideFiles[0], f)
				}
				_ = os.Remove(f)
				_ = os.WriteFile(f, nil, 0o644)
			}
		}
	}
	for round := 0; round < 30; round++ {
		mkTree()
		stop = make(chan struct{})
		for d := 0; d < 4; d++ {
			wg.Add(1)
			go swapper(d)
		}
		if _, err := ensureOwned(walked, target, target, 0o755); err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("round %d: %v", round, err)
		}
		close(stop)
		wg.Wait()
	}
	for _, p := range outsideFiles {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != keep || st.Gid != keep {
			t.Errorf("%s outside the walked folder now owned by %d:%d", p, st.Uid, st.Gid)
		}
	}
	// And the walk did its job on what stayed put.
	fi, err := os.Lstat(filepath.Join(walked, "d7", "f0"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != target {
		t.Errorf("an untouched file inside is owned by %d, want %d", st.Uid, target)
	}
}
