package container

import (
	"bytes"
	"strings"
	"testing"
)

func TestSQLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `''`},
		{"plain", `'plain'`},
		{"it's", `'it\'s'`},
		{`back\slash`, `'back\\slash'`},
		{`\'; DROP TABLE x; --`, `'\\\'; DROP TABLE x; --'`},
		{"nul\x00byte", `'nul\0byte'`},
		{"line\nbreak\r", `'line\nbreak\r'`},
		{"ctrl-z\x1a", `'ctrl-z\Z'`},
		{`"dq" and %_`, `'"dq" and %_'`},
		{"ünïcode", `'ünïcode'`},
	}
	for _, tt := range tests {
		if got := sqlString(tt.in); got != tt.want {
			t.Errorf("sqlString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSQLIdent(t *testing.T) {
	tests := []struct{ in, ident, grant string }{
		{"wordpress", "`wordpress`", "`wordpress`"},
		{"my_site", "`my_site`", "`my\\_site`"},
		{"50%", "`50%`", "`50\\%`"},
		{"we`ird", "`we``ird`", "`we``ird`"},
		{`back\`, "`back\\`", "`back\\\\`"},
	}
	for _, tt := range tests {
		if got := sqlIdent(tt.in); got != tt.ident {
			t.Errorf("sqlIdent(%q) = %s, want %s", tt.in, got, tt.ident)
		}
		if got := sqlGrantDB(tt.in); got != tt.grant {
			t.Errorf("sqlGrantDB(%q) = %s, want %s", tt.in, got, tt.grant)
		}
	}
}

func TestBootstrapSQL(t *testing.T) {
	sql := bootstrapSQL(initConfig{
		RootPassword: "r'oot", RootHost: "%",
		Database: "my_db", User: "wp", Password: `p\w`,
	})
	lines := strings.Split(strings.TrimSpace(sql), "\n")
	flush := indexOf(lines, "FLUSH PRIVILEGES;")
	if flush < 0 {
		t.Fatalf("no FLUSH PRIVILEGES in\n%s", sql)
	}
	for i, l := range lines {
		if !strings.HasSuffix(l, ";") {
			t.Errorf("line %d does not end a statement: %s", i, l)
		}
		if (strings.HasPrefix(l, "ALTER USER") || strings.HasPrefix(l, "CREATE USER") || strings.HasPrefix(l, "GRANT")) && i < flush {
			t.Errorf("account statement before FLUSH PRIVILEGES: %s", l)
		}
	}
	for _, want := range []string{
		`ALTER USER 'root'@'localhost' IDENTIFIED BY 'r\'oot';`,
		`CREATE USER 'root'@'%' IDENTIFIED BY 'r\'oot';`,
		"CREATE DATABASE IF NOT EXISTS `my_db` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
		`CREATE USER 'wp'@'%' IDENTIFIED BY 'p\\w';`,
		"GRANT ALL PRIVILEGES ON `my\\_db`.* TO 'wp'@'%';",
		"CREATE USER IF NOT EXISTS 'mysql'@'localhost' IDENTIFIED VIA unix_socket;",
	} {
		if indexOf(lines, want) < 0 {
			t.Errorf("missing %s in\n%s", want, sql)
		}
	}

	minimal := bootstrapSQL(initConfig{RootPassword: "x", RootHost: "localhost"})
	for _, not := range []string{"'root'@'%'", "CREATE DATABASE", "GRANT ALL PRIVILEGES ON `"} {
		if strings.Contains(minimal, not) {
			t.Errorf("minimal config has %q:\n%s", not, minimal)
		}
	}
}

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

func TestDBInitConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     environ
		want    initConfig
		wantErr string
		printed bool
	}{
		{
			name: "mariadb names",
			env:  environ{"MARIADB_ROOT_PASSWORD": "r", "MARIADB_DATABASE": "d", "MARIADB_USER": "u", "MARIADB_PASSWORD": "p"},
			want: initConfig{RootPassword: "r", RootHost: "%", Database: "d", User: "u", Password: "p"},
		},
		{
			name: "mysql aliases",
			env:  environ{"MYSQL_ROOT_PASSWORD": "r", "MYSQL_DATABASE": "d", "MYSQL_USER": "u", "MYSQL_PASSWORD": "p", "MYSQL_ROOT_HOST": "localhost"},
			want: initConfig{RootPassword: "r", RootHost: "localhost", Database: "d", User: "u", Password: "p"},
		},
		{name: "no root password", env: environ{"MARIADB_DATABASE": "d"}, wantErr: "no root password is set"},
		{name: "empty root password", env: environ{"MARIADB_ROOT_PASSWORD": ""}, wantErr: "no root password is set"},
		{
			name: "allow empty",
			env:  environ{"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "yes"},
			want: initConfig{RootHost: "%"},
		},
		{name: "allow empty set to no", env: environ{"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "no"}, wantErr: "no root password"},
		{name: "random", env: environ{"MARIADB_RANDOM_ROOT_PASSWORD": "1"}, printed: true},
		{name: "user without password", env: environ{"MARIADB_ROOT_PASSWORD": "r", "MARIADB_USER": "u"}, wantErr: "MARIADB_USER=u is set but"},
		{name: "user root", env: environ{"MARIADB_ROOT_PASSWORD": "r", "MARIADB_USER": "root", "MARIADB_PASSWORD": "p"}, wantErr: "MARIADB_USER=root"},
		{name: "both forms", env: environ{"MARIADB_ROOT_PASSWORD": "r", "MARIADB_ROOT_PASSWORD_FILE": "/x"}, wantErr: "both MARIADB_ROOT_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := dbInitConfig(tt.env, &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.printed {
				if len(got.RootPassword) != 32 || !strings.Contains(out.String(), got.RootPassword) {
					t.Fatalf("random password %q not printed once: %q", got.RootPassword, out.String())
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if out.Len() != 0 {
				t.Fatalf("printed %q", out.String())
			}
		})
	}
}
