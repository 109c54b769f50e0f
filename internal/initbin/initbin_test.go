package initbin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFromEmbedded(t *testing.T) {
	prog := []byte("\x7fELF pretend program")
	cache := t.TempDir()
	p, err := fromEmbedded(prog, cache)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p, filepath.Join(cache, "init")+string(filepath.Separator)) || filepath.Base(p) != "wpstack-init" {
		t.Errorf("path %s, want <cache>/init/<sha256>/wpstack-init", p)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("stat %s: %v %v, want mode 0755", p, fi.Mode(), err)
	}
	// A damaged copy is written again, not reused.
	if err := os.WriteFile(p, []byte("damaged"), 0o755); err != nil {
		t.Fatal(err)
	}
	p2, err := fromEmbedded(prog, cache)
	if err != nil || p2 != p {
		t.Fatalf("second call: %s %v", p2, err)
	}
	if b, _ := os.ReadFile(p); string(b) != string(prog) {
		t.Errorf("copy holds %q, want the embedded bytes", b)
	}
	// Another program gets another folder: two CLIs never share a copy.
	p3, err := fromEmbedded([]byte("\x7fELF another"), cache)
	if err != nil || p3 == p {
		t.Errorf("another program: %s %v, want a path other than %s", p3, err, p)
	}
}

func TestPathOverride(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "my-init")
	if err := os.WriteFile(prog, []byte("\x7fELF"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value, want, wantErr string
	}{
		{name: "a file", value: prog, want: prog},
		{name: "missing", value: filepath.Join(dir, "nope"), wantErr: "WPSTACK_INIT=" + filepath.Join(dir, "nope") + " is not a file"},
		{name: "a folder", value: dir, wantErr: "is not a file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvOverride, tc.value)
			got, err := Path(t.TempDir())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Path = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

// TestPathNextToExecutable: a CLI built without the embedding tag (this
// test binary) finds wpstack-init next to itself, and says what to do when
// there is none.
func TestPathNextToExecutable(t *testing.T) {
	if Embedded() {
		t.Fatal("built with wpstack_embed_init; this test covers the plain build")
	}
	t.Setenv(EnvOverride, "")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = filepath.EvalSymlinks(exe)
	next := filepath.Join(filepath.Dir(exe), "wpstack-init")
	if _, err := Path(""); err == nil || !strings.Contains(err.Error(), "make build") || !strings.Contains(err.Error(), next) {
		t.Fatalf("err = %v, want one naming %s and `make build`", err, next)
	}
	if err := os.WriteFile(next, []byte("\x7fELF"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(next) })
	if got, err := Path(""); err != nil || got != next {
		t.Fatalf("Path = %s, %v; want %s", got, err, next)
	}
}
