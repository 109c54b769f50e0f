package images

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrimRootfs(t *testing.T) {
	root := t.TempDir()
	mk := func(p string) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte("x"), 0o644)
	}
	keep := []string{
		"usr/share/doc/bash/copyright",
		"usr/share/locale/locale.alias",
		"var/lib/apt/lists/lock",
		"usr/bin/bash",
	}
	gone := []string{
		"usr/share/doc/bash/README.gz",
		"usr/share/doc/bash/examples/x.sh",
		"usr/share/man/man1/bash.1.gz",
		"usr/share/info/bash.info.gz",
		"usr/share/locale/de/LC_MESSAGES/bash.mo",
		"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
		"var/cache/apt/archives/bash_5.2_amd64.deb",
		"var/cache/apt/pkgcache.bin",
		"var/log/dpkg.log",
		"var/lib/dpkg/status-old",
	}
	for _, p := range append(append([]string(nil), keep...), gone...) {
		mk(p)
	}
	os.MkdirAll(filepath.Join(root, "usr/share/doc/nocopyright"), 0o755)
	mk("usr/share/doc/nocopyright/changelog.gz")

	if err := trimRootfs(root, Bookworm, DefaultMirror); err != nil {
		t.Fatal(err)
	}
	for _, p := range keep {
		if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
	for _, p := range append(gone, "usr/share/doc/nocopyright") {
		if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	apt, _ := os.ReadFile(filepath.Join(root, "etc/apt/apt.conf.d/90wpstack"))
	for _, want := range []string{`APT::Install-Recommends "false"`, `Acquire::Check-Valid-Until "false"`} {
		if !strings.Contains(string(apt), want) {
			t.Errorf("apt config lacks %s", want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/dpkg/dpkg.cfg.d/wpstack-slim")); !strings.Contains(string(b), "path-exclude /usr/share/doc/*") {
		t.Errorf("dpkg exclude file = %q", b)
	}
}

func TestSourcesList(t *testing.T) {
	def := sourcesList(Bookworm, DefaultMirror)
	for _, want := range []string{
		"deb http://deb.debian.org/debian bookworm main\n",
		"deb http://deb.debian.org/debian bookworm-updates main\n",
		"deb http://deb.debian.org/debian-security bookworm-security main\n",
	} {
		if !strings.Contains(def, want) {
			t.Errorf("sources.list lacks %q:\n%s", want, def)
		}
	}
	own := sourcesList(Bookworm, "http://mirror.example/debian/")
	if !strings.Contains(own, "deb http://mirror.example/debian bookworm main") || !strings.Contains(own, "deb http://mirror.example/debian-security bookworm-security main") {
		t.Errorf("mirror sources.list:\n%s", own)
	}
}
