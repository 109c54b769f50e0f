package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckFolder(t *testing.T) {
	tmp := t.TempDir()
	alias := filepath.Join(tmp, "alias")
	if err := os.Symlink("/", alias); err != nil {
		t.Fatal(err)
	}
	etcAlias := filepath.Join(tmp, "etc-alias")
	if err := os.Symlink("/etc", etcAlias); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		dir  string
		want string // in the error; "" = accepted
	}{
		{"/", "is a system folder"},
		{"/srv", "is a system folder"},
		{"/srv/", "is a system folder"},
		{"/home", "is a system folder"},
		{"/etc", "is a system folder"},
		{"/var", "is a system folder"},
		{"/usr", "is a system folder"},
		{"/opt", "is a system folder"},
		{"/root", "is a system folder"},
		{"/boot", "is a system folder"},
		{"/bin", "is a system folder"},
		{"/lib", "is a system folder"},
		{"/mnt", "is a system folder"},
		{"/tmp", "is a system folder"},
		{"/proc", "is a system folder"},
		{"/sys", "is a system folder"},
		{"/dev", "is a system folder"},
		{"/run", "is a system folder"},
		{"/srv/../etc", "is a system folder"},
		{"/etc/wp", "inside the system folder /etc"},
		{"/usr/local/share/wp", "inside the system folder /usr"},
		{"/var/lib/docker/volumes/x", "inside the system folder /var/lib/docker"},
		{"/proc/1/root", "inside the system folder /proc"},
		{alias, "(/)"},
		{filepath.Join(alias, "srv"), "(/srv)"},
		{filepath.Join(etcAlias, "new", "folder"), "inside the system folder /etc"},
		{"/srv/wp-blog", ""},
		{"/home/me/sites/blog", ""},
		{"/mnt/shared/blog", ""},
		{filepath.Join(tmp, "site"), ""},
	} {
		err := CheckFolder("--data-dir", tt.dir)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s refused: %v", tt.dir, err)
		case tt.want != "" && err == nil:
			t.Errorf("%s accepted, want %q", tt.dir, tt.want)
		case err != nil && (!strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--data-dir "+tt.dir) || !strings.Contains(err.Error(), "a folder of its own")):
			t.Errorf("%s: error %q does not name the folder, %q and the fix", tt.dir, err, tt.want)
		}
	}
}

func TestValidateRefusesSystemFolders(t *testing.T) {
	s := Spec{Name: "blog", DataDir: "/srv"}
	s.ApplyDefaults()
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "--data-dir /srv") {
		t.Errorf("--data-dir /srv: %v", err)
	}
	s = Spec{Name: "blog", Target: TargetSwarm, SharedStorage: "/home"}
	s.ApplyDefaults()
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "--shared-storage /home") {
		t.Errorf("--shared-storage /home: %v", err)
	}
}

func TestOverlap(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"/srv/a", "/srv/a", true},
		{"/srv/a", "/srv/a/b", true},
		{"/srv/a/b", "/srv/a", true},
		{"/srv/a", "/srv/ab", false},
		{"/srv/a", "/srv/b", false},
	} {
		if got := Overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("Overlap(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
