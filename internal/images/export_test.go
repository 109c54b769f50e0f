package images

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/images/wpsource"
)

func TestExportContexts(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wpstack")
	if err := os.WriteFile(bin, []byte("\x7fELF fake"), 0o700); err != nil {
		t.Fatal(err)
	}
	tree := testTree(t)
	// A version.php as releases write it, one assignment per line.
	if err := os.WriteFile(filepath.Join(tree, "wp-includes", "version.php"), []byte("<?php\n$wp_version = '6.7.1';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "eject")
	ctx := context.Background()
	// A folder source needs no engine.
	got, err := ExportContexts(ctx, nil, Options{Source: tree, CacheDir: t.TempDir(), Binary: bin}, out)
	if err != nil {
		t.Fatal(err)
	}
	if got.WordPressVersion != "6.7.1" || got.BaseImage != BaseTag || len(got.Contexts) != 2 {
		t.Fatalf("ExportContexts = %+v", got)
	}
	treeHash, err := wpsource.HashTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	if got.WordPressTreeHash != treeHash {
		t.Errorf("tree hash %s, want %s", got.WordPressTreeHash, treeHash)
	}
	for _, c := range got.Contexts {
		files, err := Recipe(c.Role)
		if err != nil {
			t.Fatal(err)
		}
		in := RecipeInputs{Role: c.Role, Files: files, BinarySHA256: got.BinarySHA256}
		if c.Role.HasWordPress() {
			in.TreeHash = treeHash
		}
		// The same hash as Ensure's: an image built from the folder is the
		// image wpstack builds.
		if want := RecipeHash(in); c.RecipeHash != want || c.Ref != c.Role.Tag(DefaultPrefix, want, "6.7.1") {
			t.Errorf("%s: hash %s ref %s, want hash %s", c.Role, c.RecipeHash, c.Ref, want)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(c.Dir, f.Name))
			if err != nil || string(b) != string(f.Data) {
				t.Errorf("%s/%s differs from the recipe (%v)", c.Role, f.Name, err)
			}
		}
		st, err := os.Stat(filepath.Join(c.Dir, "wpstack-init"))
		if err != nil || st.Mode().Perm() != 0o755 {
			t.Errorf("%s/wpstack: %v, mode %v", c.Role, err, st)
		}
		_, err = os.Stat(filepath.Join(c.Dir, "wordpress", "wp-includes", "version.php"))
		if c.Role.HasWordPress() != (err == nil) {
			t.Errorf("%s: wordpress tree present = %v, want %v", c.Role, err == nil, c.Role.HasWordPress())
		}
	}
	_, err = ExportContexts(ctx, nil, Options{Source: tree, CacheDir: t.TempDir(), Binary: bin}, out)
	if err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("a second export into the same folder: err = %v, want it refused", err)
	}
}
