package container

import (
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKeysGiven(t *testing.T) {
	dir := t.TempDir()
	all := environ{}
	var salts strings.Builder
	for _, k := range wpKeyNames {
		all["WORDPRESS_"+k] = "v-" + k
		salts.WriteString(k + "=s=" + k + "\n")
	}
	saltsFile := filepath.Join(dir, "salts")
	if err := os.WriteFile(saltsFile, []byte(salts.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	oneViaFile := all.with(nil)
	delete(oneViaFile, "WORDPRESS_NONCE_SALT")
	oneViaFile["WORDPRESS_NONCE_SALT_FILE"] = keyFile
	oneMissing := all.with(nil)
	delete(oneMissing, "WORDPRESS_AUTH_KEY")
	for _, tc := range []struct {
		name string
		env  environ
		want bool
	}{
		{"none", environ{}, false},
		{"all eight", all, true},
		{"one as a _FILE", oneViaFile, true},
		{"one missing", oneMissing, false},
		{"one empty", all.with(map[string]string{"WORDPRESS_NONCE_KEY": ""}), false},
		{"wpstack salts file", environ{"WPSTACK_SALTS_FILE": saltsFile}, true},
	} {
		got, err := keysGiven(tc.env)
		if err != nil || got != tc.want {
			t.Errorf("%s: keysGiven = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := keysGiven(environ{"WPSTACK_SALTS_FILE": filepath.Join(dir, "nope")}); err == nil {
		t.Error("an unreadable WPSTACK_SALTS_FILE is not an error")
	}
}

func TestEnsureKeysOnceAndKept(t *testing.T) {
	root := t.TempDir()
	logger := log.New(io.Discard, "", 0)
	if err := ensureKeys(logger, environ{}, root); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, keysFile)
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One PHP single-quoted literal of 64 safe characters per key.
	re := regexp.MustCompile(`(?m)^\t'([A-Z_]+)' => '([^'\\]{64})',$`)
	if m := re.FindAllStringSubmatch(string(first), -1); len(m) != len(wpKeyNames) {
		t.Fatalf("keys file has %d well-formed keys, want %d:\n%s", len(m), len(wpKeyNames), first)
	}
	if !strings.HasPrefix(string(first), "<?php\n") {
		t.Errorf("keys file is not PHP:\n%s", first)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("keys file mode %v, want 0640", fi.Mode().Perm())
	}
	if err := ensureKeys(logger, environ{}, root); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(path)
	if string(again) != string(first) {
		t.Error("a second start replaced the generated keys")
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("webroot holds %d entries, want only %s", len(entries), keysFile)
	}

	// All keys given: nothing is written.
	given := environ{}
	for _, k := range wpKeyNames {
		given["WORDPRESS_"+k] = "x"
	}
	other := t.TempDir()
	if err := ensureKeys(logger, given, other); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(other, keysFile)); err == nil {
		t.Error("keys generated although the environment gives all eight")
	}
}
