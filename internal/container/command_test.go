package container

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestClassifyDB(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		kind commandKind
		want []string
	}{
		{"no arguments", nil, runServer, nil},
		{"options only", []string{"--log-bin", "--binlog-format=ROW"}, runServer, []string{"--log-bin", "--binlog-format=ROW"}},
		{"one option", []string{"--character-set-server=latin1"}, runServer, []string{"--character-set-server=latin1"}},
		{"mariadbd with options", []string{"mariadbd", "--log-bin"}, runServer, []string{"--log-bin"}},
		{"mysqld alone", []string{"mysqld"}, runServer, []string{}},
		{"client", []string{"mariadb", "--version"}, runDirect, []string{"mariadb", "--version"}},
		{"shell", []string{"bash"}, runDirect, []string{"bash"}},
		{"absolute path", []string{"/usr/bin/mariadb-dump", "-hdb"}, runDirect, []string{"/usr/bin/mariadb-dump", "-hdb"}},
		{"server version", []string{"mariadbd", "--version"}, runDirect, []string{mariadbd, "--version"}},
		{"mysqld help", []string{"mysqld", "--verbose", "--help"}, runDirect, []string{mariadbd, "--verbose", "--help"}},
		{"option-only version", []string{"--version"}, runDirect, []string{mariadbd, "--version"}},
		{"option-only -V", []string{"-V"}, runDirect, []string{mariadbd, "-V"}},
		{"print defaults", []string{"--log-bin", "--print-defaults"}, runDirect, []string{mariadbd, "--log-bin", "--print-defaults"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, got := classifyDB(tc.args)
			if kind != tc.kind || (len(got) != 0 || len(tc.want) != 0) && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("classifyDB(%q) = %v %q, want %v %q", tc.args, kind, got, tc.kind, tc.want)
			}
		})
	}
}

func TestClassifyWeb(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		kind commandKind
		want []string
	}{
		{"no arguments", nil, runServer, nil},
		{"official command", []string{"apache2-foreground"}, runServer, []string{}},
		{"official command with options", []string{"apache2-foreground", "-DX"}, runServer, []string{"-DX"}},
		{"php", []string{"php", "-v"}, runDirect, []string{"php", "-v"}},
		{"shell", []string{"sh", "-c", "id"}, runDirect, []string{"sh", "-c", "id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, got := classifyWeb(tc.args)
			if kind != tc.kind || (len(got) != 0 || len(tc.want) != 0) && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("classifyWeb(%q) = %v %q, want %v %q", tc.args, kind, got, tc.kind, tc.want)
			}
		})
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe := writeFile(t, dir, "tool", "#!/bin/sh\n", 0o755)
	writeFile(t, dir, "plain", "x", 0o644)
	for _, tc := range []struct {
		name, path, want string
		ok               bool
	}{
		{"tool", "/nonexistent:" + dir, exe, true},
		{"plain", dir, "", false},
		{"missing", dir, "", false},
		{exe, "", exe, true},
	} {
		got, err := lookPath(tc.name, tc.path)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("lookPath(%q, %q) = %q, %v; want %q ok=%v", tc.name, tc.path, got, err, tc.want, tc.ok)
		}
	}
}

func TestWordpressConfigured(t *testing.T) {
	for _, tc := range []struct {
		env  environ
		want bool
	}{
		{environ{}, false},
		{environ{"PATH": "/bin", "WPSTACK_SALTS_FILE": "/x", "MYSQL_ROOT_PASSWORD": "p"}, false},
		{environ{"WORDPRESS_DB_PASSWORD": "example"}, true},
		{environ{"WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/db"}, true},
		{environ{"WORDPRESS_DEBUG": ""}, true},
	} {
		if got := wordpressConfigured(tc.env); got != tc.want {
			t.Errorf("wordpressConfigured(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

func TestLinkConfig(t *testing.T) {
	dir := t.TempDir()
	source := writeFile(t, dir, "wp-config.php", "<?php\n", 0o644)
	link := filepath.Join(dir, "run", "wpstack", "wp-config.php")
	// WordPress looks through the image's fixed link; here, through this one.
	wpConfig := filepath.Join(dir, "www-wp-config.php")
	if err := os.Symlink(link, wpConfig); err != nil {
		t.Fatal(err)
	}
	found := func() bool { _, err := os.Stat(wpConfig); return err == nil }
	for _, step := range []struct {
		on   bool
		want bool
	}{{false, false}, {true, true}, {true, true}, {false, false}, {false, false}, {true, true}} {
		if err := linkConfig(link, source, step.on); err != nil {
			t.Fatalf("linkConfig(on=%v): %v", step.on, err)
		}
		if got := found(); got != step.want {
			t.Errorf("on=%v: configuration found %v, want %v", step.on, got, step.want)
		}
	}
	// A stale file in the link's place is replaced.
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(link), "wp-config.php", "stale", 0o644)
	if err := linkConfig(link, source, true); err != nil {
		t.Fatal(err)
	}
	if cur, err := os.Readlink(link); err != nil || cur != source {
		t.Errorf("link = %q, %v; want %s", cur, err, source)
	}
}
