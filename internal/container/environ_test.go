package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnvironLookup(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := write("plain", "s3cret\n")
	crlf := write("crlf", "pass word \r\n\n")
	tests := []struct {
		name    string
		env     environ
		want    string
		found   bool
		wantErr string
	}{
		{"unset", environ{}, "", false, ""},
		{"direct", environ{"X": "v"}, "v", true, ""},
		{"direct empty", environ{"X": ""}, "", true, ""},
		{"file trailing newline dropped", environ{"X_FILE": plain}, "s3cret", true, ""},
		{"file inner spaces kept", environ{"X_FILE": crlf}, "pass word ", true, ""},
		{"both set", environ{"X": "a", "X_FILE": plain}, "", false, "both X and X_FILE"},
		{"missing file", environ{"X_FILE": filepath.Join(dir, "nope")}, "", false, "read X_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := tt.env.lookup("X")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || found != tt.found {
				t.Fatalf("lookup = %q, %v, %v; want %q, %v", got, found, err, tt.want, tt.found)
			}
		})
	}
}

func TestEnvironFirst(t *testing.T) {
	e := environ{"MYSQL_USER": "old", "MARIADB_DATABASE": "new", "MYSQL_DATABASE": "old"}
	if v, n, _ := e.first("MARIADB_USER", "MYSQL_USER"); v != "old" || n != "MYSQL_USER" {
		t.Errorf("alias: got %q from %q", v, n)
	}
	if v, n, _ := e.first("MARIADB_DATABASE", "MYSQL_DATABASE"); v != "new" || n != "MARIADB_DATABASE" {
		t.Errorf("preferred: got %q from %q", v, n)
	}
	if v, n, _ := e.first("MARIADB_NONE", "MYSQL_NONE"); v != "" || n != "" {
		t.Errorf("unset: got %q from %q", v, n)
	}
}

func TestParseEnvironAndList(t *testing.T) {
	e := parseEnviron([]string{"B=2", "A=x=y", "bad", "=nokey", "C="})
	got := strings.Join(e.list(), " ")
	if want := "A=x=y B=2 C="; got != want {
		t.Fatalf("list = %q, want %q", got, want)
	}
	w := e.with(map[string]string{"B": "3"})
	if w["B"] != "3" || e["B"] != "2" {
		t.Fatalf("with must copy: got %q and %q", w["B"], e["B"])
	}
}
