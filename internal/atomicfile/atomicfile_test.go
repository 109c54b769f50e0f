package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		existing string // "" = no file before
		opts     Options
		fillErr  error
		wantErr  error // errors.Is target; nil = success
		want     string
		wantMode fs.FileMode
	}{
		{name: "new file", want: "new", wantMode: 0o600},
		{name: "replaces", existing: "old", opts: Options{Mode: 0o644}, want: "new", wantMode: 0o644},
		{name: "no replace keeps the old", existing: "old", opts: Options{NoReplace: true}, wantErr: fs.ErrExist, want: "old"},
		{name: "no replace, new", opts: Options{NoReplace: true, Mode: 0o640}, want: "new", wantMode: 0o640},
		{name: "fill fails, old kept", existing: "old", fillErr: errors.New("boom"), want: "old"},
		{name: "own temp prefix", opts: Options{TempPattern: ".partial-*"}, want: "new", wantMode: 0o600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			if tc.existing != "" {
				if err := os.WriteFile(p, []byte(tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteWith(p, tc.opts, func(w io.Writer) error {
				if _, err := io.WriteString(w, "new"); err != nil {
					return err
				}
				return tc.fillErr
			})
			switch {
			case tc.fillErr != nil:
				if err != tc.fillErr {
					t.Fatalf("err = %v, want fill's error as it is", err)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("content = %q, want %q", b, tc.want)
			}
			if tc.wantMode != 0 {
				fi, _ := os.Stat(p)
				if fi.Mode().Perm() != tc.wantMode {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tc.wantMode)
				}
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("folder holds %s, want only f (no temp file left)", strings.Join(names, ", "))
			}
		})
	}
}

func TestWriteMissingFolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "f")
	if err := Write(p, []byte("x"), 0o600); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v, want one naming %s", err, p)
	}
}
