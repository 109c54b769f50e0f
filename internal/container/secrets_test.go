package container

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopySecrets(t *testing.T) {
	src := t.TempDir()
	dst := filepath.Join(t.TempDir(), "run", "secrets")
	pw := filepath.Join(src, "db_password")
	if err := os.WriteFile(pw, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := environ{
		"WORDPRESS_DB_PASSWORD_FILE": pw,
		"MISSING_FILE":               filepath.Join(src, "absent"),
		"DIR_FILE":                   src,
		"PROFILE":                    pw, // not a *_FILE variable
	}
	uid, gid := os.Getuid(), os.Getgid()
	out, err := copySecrets(env, dst, uid, gid)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dst, "WORDPRESS_DB_PASSWORD")
	if out["WORDPRESS_DB_PASSWORD_FILE"] != copied {
		t.Fatalf("variable points at %q, want %q", out["WORDPRESS_DB_PASSWORD_FILE"], copied)
	}
	for _, k := range []string{"MISSING_FILE", "DIR_FILE", "PROFILE"} {
		if out[k] != env[k] {
			t.Errorf("%s changed to %q", k, out[k])
		}
	}
	fi, err := os.Stat(copied)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o400 {
		t.Errorf("copy mode %v, want 0400", fi.Mode().Perm())
	}
	if !ownedBy(fi, uid, gid) {
		t.Errorf("copy not owned by %d:%d", uid, gid)
	}
	if d, _ := os.Stat(dst); d.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", d.Mode().Perm())
	}
	if v, _, _ := out.lookup("WORDPRESS_DB_PASSWORD"); v != "hunter2" {
		t.Errorf("lookup through copy = %q", v)
	}
	// A second start replaces the read-only copy.
	if err := os.WriteFile(pw, []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := copySecrets(env, dst, uid, gid); err != nil {
		t.Fatalf("second copy: %v", err)
	}
	if b, _ := os.ReadFile(copied); string(b) != "changed" {
		t.Errorf("second copy holds %q", b)
	}
	// Already pointing at the copy: left as it is.
	if again, err := copySecrets(out, dst, uid, gid); err != nil || again["WORDPRESS_DB_PASSWORD_FILE"] != copied {
		t.Errorf("re-run on copies: %v, %q", err, again["WORDPRESS_DB_PASSWORD_FILE"])
	}
}
