package images

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultMirror is Debian's redirector.
const DefaultMirror = "http://deb.debian.org/debian"

// baseConfigFiles are the apt and dpkg settings that make a bootstrapped
// root behave like debian:bookworm-slim (docs/internals.md); the pulled base
// gets the same files so both origins build alike.
func baseConfigFiles(rel Release, mirror string) map[string]string {
	return map[string]string{
		"etc/apt/apt.conf.d/90wpstack": `APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Check-Valid-Until "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
`,
		// Copyright files stay: they are the packages' licences.
		"etc/dpkg/dpkg.cfg.d/wpstack-slim": `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
`,
		"etc/apt/sources.list": sourcesList(rel, mirror),
	}
}

func sourcesList(rel Release, mirror string) string {
	security := "http://deb.debian.org/debian-security"
	if m := strings.TrimRight(mirror, "/"); strings.HasSuffix(m, "/debian") && m != DefaultMirror {
		security = m + "-security"
	}
	return fmt.Sprintf("deb %[1]s %[3]s main\ndeb %[1]s %[3]s-updates main\ndeb %[2]s %[3]s-security main\n", strings.TrimRight(mirror, "/"), security, rel.or())
}

// trimRootfs writes the slim configuration into root and removes what it
// keeps out: apt lists, cached debs, docs (but copyrights), man, info,
// locales (but locale.alias), logs and -old backups.
func trimRootfs(root string, rel Release, mirror string) error {
	for name, content := range baseConfigFiles(rel, mirror) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return fmt.Errorf("write %s into the base root: %w", name, err)
		}
	}
	steps := []struct {
		dir       string
		keep      func(rel string, d fs.DirEntry) bool
		dropEmpty bool
	}{
		{"var/lib/apt/lists", func(rel string, d fs.DirEntry) bool { return d.IsDir() || rel == "lock" }, false},
		{"var/cache/apt", func(rel string, d fs.DirEntry) bool { return d.IsDir() || rel == "archives/lock" }, false},
		{"usr/share/doc", func(rel string, d fs.DirEntry) bool {
			return (d.IsDir() && !strings.Contains(rel, "/")) || filepath.Base(rel) == "copyright" && strings.Count(rel, "/") == 1
		}, true},
		{"usr/share/man", nil, false},
		{"usr/share/info", nil, false},
		{"usr/share/locale", func(rel string, _ fs.DirEntry) bool { return rel == "locale.alias" }, false},
		{"var/log", func(rel string, d fs.DirEntry) bool { return d.IsDir() }, false},
	}
	for _, s := range steps {
		if err := prune(filepath.Join(root, s.dir), s.keep, s.dropEmpty); err != nil {
			return fmt.Errorf("trim %s in the base root: %w", s.dir, err)
		}
	}
	for _, glob := range []string{"var/cache/debconf/*-old", "var/lib/dpkg/*-old"} {
		matches, _ := filepath.Glob(filepath.Join(root, glob))
		for _, m := range matches {
			if err := os.Remove(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// prune removes every entry under dir that keep rejects (keep == nil: all),
// never following links, and with dropEmpty any folder left empty below dir.
func prune(dir string, keep func(rel string, d fs.DirEntry) bool, dropEmpty bool) error {
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		return nil
	}
	var doomed []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if keep != nil && keep(rel, d) {
			return nil
		}
		doomed = append(doomed, p)
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range doomed {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	if dropEmpty {
		removeEmptyDirs(dir)
	}
	return nil
}

// removeEmptyDirs removes empty folders below dir (doc folders whose
// package had no copyright file, for instance).
func removeEmptyDirs(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() {
			p := filepath.Join(dir, e.Name())
			removeEmptyDirs(p)
			_ = os.Remove(p) // fails, harmlessly, when not empty
		}
	}
}
