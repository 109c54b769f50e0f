package container

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestListInitScripts(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"10-b.sql", "02-a.sh", "20-c.sql.gz", "30-d.sql.xz", "40-e.sql.zst", "50-f.txt", "60-g.sql.bz2", "README"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "05-dir.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("10-b.sql", filepath.Join(dir, "11-link.sql")); err != nil {
		t.Fatal(err)
	}
	scripts, ignored, err := listInitScripts(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range scripts {
		got = append(got, filepath.Base(s.Path)+":"+s.Kind)
	}
	want := []string{"02-a.sh:sh", "10-b.sql:sql", "11-link.sql:sql", "20-c.sql.gz:sql.gz", "30-d.sql.xz:sql.xz", "40-e.sql.zst:sql.zst"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q, want %q", got, want)
	}
	if want := []string{"50-f.txt", "60-g.sql.bz2", "README"}; !reflect.DeepEqual(ignored, want) {
		t.Errorf("ignored = %q, want %q", ignored, want)
	}

	scripts, ignored, err = listInitScripts(filepath.Join(dir, "missing"))
	if err != nil || scripts != nil || ignored != nil {
		t.Errorf("missing dir: %v %v %v, want nothing", scripts, ignored, err)
	}
}
