package backup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRunScheduledPrunes(t *testing.T) {
	dir := t.TempDir()
	// Old backups, another site's and a partial one left by a killed run.
	for _, n := range []string{"blog-20260101-000000.wpbackup", "blog-20260102-000000.wpbackup", "shop-20260101-000000.wpbackup", ".partial-blog-x.wpbackup-1"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := RunScheduled(context.Background(), newFake(), RunOptions{Site: "blog", Dir: dir, Every: "10s", Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Kept) != 2 || st.Kept[0] != st.LastFile || st.Kept[1] != "blog-20260102-000000.wpbackup" || st.LastError != "" {
		t.Errorf("status = %+v", st)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{StatusFile, st.LastFile, "blog-20260102-000000.wpbackup", "shop-20260101-000000.wpbackup"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("folder holds %v, want %v", names, want)
	}
	if f, err := os.Open(filepath.Join(dir, st.LastFile)); err != nil {
		t.Fatal(err)
	} else {
		defer f.Close()
		if _, err := Verify(f, nil); err != nil {
			t.Errorf("scheduled backup does not verify: %v", err)
		}
	}
	if got, err := ReadStatus(dir); err != nil || got.LastFile != st.LastFile {
		t.Errorf("status file = %+v, %v", got, err)
	}
}

func TestRunScheduledRecordsFailure(t *testing.T) {
	dir := t.TempDir()
	src := newFake()
	src.dump = "" // an empty dump is a failed backup
	st, err := RunScheduled(context.Background(), src, RunOptions{Site: "blog", Dir: dir, Every: "10s", Keep: 2})
	if err == nil || st.LastError == "" {
		t.Fatalf("failure not reported: %+v, %v", st, err)
	}
	got, _ := ReadStatus(dir)
	if got.LastError == "" || !got.LastSuccess.IsZero() {
		t.Errorf("status file = %+v", got)
	}
	if names, _ := List(dir, "blog"); len(names) != 0 {
		t.Errorf("a failed run left %v", names)
	}
}
