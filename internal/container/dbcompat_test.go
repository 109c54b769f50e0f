package container

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes a test file and returns its path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDBSettingAliases(t *testing.T) {
	dir := t.TempDir()
	secret := writeFile(t, dir, "s", "from-file\n", 0o600)
	tests := []struct {
		name     string
		env      environ
		suffix   string
		want     string
		wantFrom string
		wantErr  string
	}{
		{"unset", environ{}, "DATABASE", "", "", ""},
		{"MARIADB name", environ{"MARIADB_DATABASE": "a"}, "DATABASE", "a", "MARIADB_DATABASE", ""},
		{"MYSQL alias", environ{"MYSQL_DATABASE": "b"}, "DATABASE", "b", "MYSQL_DATABASE", ""},
		{"MARIADB wins", environ{"MARIADB_USER": "m", "MYSQL_USER": "y"}, "USER", "m", "MARIADB_USER", ""},
		{"MYSQL alias as a file", environ{"MYSQL_ROOT_PASSWORD_FILE": secret}, "ROOT_PASSWORD", "from-file", "MYSQL_ROOT_PASSWORD", ""},
		{"root host alias", environ{"MYSQL_ROOT_HOST": "10.%"}, "ROOT_HOST", "10.%", "MYSQL_ROOT_HOST", ""},
		{"empty password: official MYSQL name", environ{"MYSQL_ALLOW_EMPTY_PASSWORD": "yes"}, "ALLOW_EMPTY_ROOT_PASSWORD", "yes", "MYSQL_ALLOW_EMPTY_PASSWORD", ""},
		{"empty password: earlier wpstack name", environ{"MYSQL_ALLOW_EMPTY_ROOT_PASSWORD": "1"}, "ALLOW_EMPTY_ROOT_PASSWORD", "1", "MYSQL_ALLOW_EMPTY_ROOT_PASSWORD", ""},
		{"random alias", environ{"MYSQL_RANDOM_ROOT_PASSWORD": "1"}, "RANDOM_ROOT_PASSWORD", "1", "MYSQL_RANDOM_ROOT_PASSWORD", ""},
		{"skip tzinfo alias", environ{"MYSQL_INITDB_SKIP_TZINFO": "1"}, "INITDB_SKIP_TZINFO", "1", "MYSQL_INITDB_SKIP_TZINFO", ""},
		{"skip tzinfo as a file", environ{"MARIADB_INITDB_SKIP_TZINFO_FILE": secret}, "INITDB_SKIP_TZINFO", "from-file", "MARIADB_INITDB_SKIP_TZINFO", ""},
		{"healthcheck grants have no MYSQL name", environ{"MYSQL_HEALTHCHECK_GRANTS": "x"}, "HEALTHCHECK_GRANTS", "", "", ""},
		{"name and file both", environ{"MYSQL_PASSWORD": "a", "MYSQL_PASSWORD_FILE": secret}, "PASSWORD", "", "", "both MYSQL_PASSWORD and MYSQL_PASSWORD_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, from, err := dbSetting(tt.env, tt.suffix)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || from != tt.wantFrom {
				t.Errorf("dbSetting(%q) = %q from %q, %v; want %q from %q", tt.suffix, got, from, err, tt.want, tt.wantFrom)
			}
		})
	}
}

func TestDBInitConfigAliases(t *testing.T) {
	c, err := dbInitConfig(environ{"MYSQL_ALLOW_EMPTY_PASSWORD": "yes", "MYSQL_ROOT_HOST": "localhost"}, nil)
	if err != nil || c.RootPassword != "" || c.RootHost != "localhost" {
		t.Errorf("MYSQL_ALLOW_EMPTY_PASSWORD: %+v, %v", c, err)
	}
	var out strings.Builder
	c, err = dbInitConfig(environ{"MYSQL_RANDOM_ROOT_PASSWORD": "1"}, &out)
	if err != nil || len(c.RootPassword) != 32 || out.String() != "GENERATED ROOT PASSWORD: "+c.RootPassword+"\n" {
		t.Errorf("MYSQL_RANDOM_ROOT_PASSWORD: %+v, %v, printed %q", c, err, out.String())
	}
	if _, err := dbInitConfig(environ{"MYSQL_ALLOW_EMPTY_PASSWORD": "no"}, nil); err == nil {
		t.Error("MYSQL_ALLOW_EMPTY_PASSWORD=no allowed an empty root password")
	}
}

func TestIsOn(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "no": false, "False": false, " off ": false, "1": true, "yes": true, "true": true, "x": true} {
		if got := isOn(v); got != want {
			t.Errorf("isOn(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestHealthcheckGrants(t *testing.T) {
	for _, tc := range []struct {
		env     environ
		want    string
		wantErr bool
	}{
		{environ{}, "USAGE", false},
		{environ{"MARIADB_HEALTHCHECK_GRANTS": "REPLICA MONITOR"}, "REPLICA MONITOR", false},
		{environ{"MARIADB_HEALTHCHECK_GRANTS": "USAGE; DROP DATABASE x"}, "", true},
	} {
		got, err := healthcheckGrants(tc.env)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("healthcheckGrants(%v) = %q, %v", tc.env, got, err)
		}
	}
}

func TestServerPort(t *testing.T) {
	for _, tc := range []struct {
		extra []string
		want  int
	}{
		{nil, 3306},
		{[]string{"--log-bin", "--port=3307"}, 3307},
		{[]string{"--port", "3308"}, 3308},
		{[]string{"--port=x"}, 3306},
	} {
		if got := serverPort(tc.extra); got != tc.want {
			t.Errorf("serverPort(%q) = %d, want %d", tc.extra, got, tc.want)
		}
	}
}

func TestHealthcheckSQL(t *testing.T) {
	sql := healthcheckSQL("p'w", "USAGE")
	for _, want := range []string{
		`CREATE USER IF NOT EXISTS 'healthcheck'@'127.0.0.1' IDENTIFIED BY 'p\'w';`,
		`CREATE USER IF NOT EXISTS 'healthcheck'@'::1' IDENTIFIED BY 'p\'w';`,
		`GRANT USAGE ON *.* TO 'healthcheck'@'localhost';`,
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("healthcheck SQL lacks %s:\n%s", want, sql)
		}
	}
}

func TestWriteHealthcheckCnf(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".my-healthcheck.cnf")
	if err := writeHealthcheckCnf(path, "secret", 3307); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(path)
	for _, want := range []string{"[mariadb-client]\n", "port=3307\n", "user=healthcheck\n", "password=secret\n", "protocol=tcp\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("cnf lacks %q:\n%s", want, b)
		}
	}
}

// fakeClient answers the healthcheck's queries from a table keyed by the
// query and whether TCP was asked for, and records the arguments.
type fakeClient struct {
	answers map[string]string
	calls   [][]string
}

func (f *fakeClient) run(_ context.Context, args ...string) (string, error) {
	f.calls = append(f.calls, args)
	key := args[len(args)-1]
	for _, a := range args {
		if a == "--protocol=tcp" {
			key = "tcp:" + key
		}
	}
	out, ok := f.answers[key]
	if !ok || strings.HasPrefix(out, "ERROR") {
		return out, errors.New("exit status 1")
	}
	return out, nil
}

func TestHealthcheckScript(t *testing.T) {
	const (
		qNet    = "select @@skip_networking"
		qInnoDB = "select 1 from information_schema.ENGINES WHERE engine='innodb' AND support in ('YES', 'DEFAULT', 'ENABLED')"
	)
	up := map[string]string{qNet: "0\n", qInnoDB: "1\n"}
	for _, tc := range []struct {
		name    string
		args    []string
		answers map[string]string
		want    int
		stderr  string
	}{
		{"no arguments", nil, up, 1, "At least one argument required"},
		{"connect and innodb", []string{"--connect", "--innodb_initialized"}, up, 0, ""},
		{"innodb alone ends with a connect", []string{"--innodb_initialized"}, up, 0, ""},
		{"temporary server", []string{"--connect"}, map[string]string{qNet: "1"}, 1, "skip-networking"},
		{"socket refused, TCP access denied counts as connected", []string{"--connect"},
			map[string]string{"tcp:" + qNet: "ERROR 1045 (28000): Access denied for user 'healthcheck'@'127.0.0.1'"}, 0, ""},
		{"no server", []string{"--connect"}, map[string]string{"tcp:" + qNet: "ERROR 2002 (HY000): Can't connect"}, 1, "connect failed"},
		{"innodb missing", []string{"--connect", "--innodb_initialized"}, map[string]string{qNet: "0"}, 1, "innodb_initialized failed"},
		{"unknown test", []string{"--frobnicate"}, up, 1, "unknown option or test 'frobnicate'"},
		{"not an option", []string{"connect"}, up, 1, "Unknown healthcheck option connect"},
		{"galera", []string{"--galera_online"}, up, 1, "not available"},
		{"no connect", []string{"--no-connect", "--innodb_initialized"}, map[string]string{qInnoDB: "1"}, 0, ""},
		{"upgrade lock free", []string{"--mariadbupgrade", "--datadir=/nonexistent"}, up, 0, ""},
		{"su-mysql first", []string{"--su-mysql", "--connect"}, up, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			fc := &fakeClient{answers: tc.answers}
			var became []string
			h := &healthcheck{Stderr: &stderr, Env: environ{}, client: fc.run,
				switchUser: func(u string) error { became = append(became, u); return nil }}
			if got := h.run(tc.args); got != tc.want {
				t.Errorf("exit %d, want %d; stderr %q", got, tc.want, stderr.String())
			}
			if tc.stderr != "" && !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.stderr)
			}
			// The client never runs as root: once dropped to mysql.
			if len(fc.calls) > 0 && (len(became) != 1 || became[0] != "mysql") {
				t.Errorf("switched to %q before the client, want mysql once", became)
			}
		})
	}
}

func TestHealthcheckDefaults(t *testing.T) {
	h := &healthcheck{}
	h.reset()
	h.setDefault("--defaults-group-suffix=_x")
	h.setDefault("--defaults-file=/etc/a.cnf")
	if h.defaults[0] != "--defaults-file=/etc/a.cnf" || len(h.defaults) < 2 {
		t.Errorf("defaults %q", h.defaults)
	}
	h.defaults = []string{"--no-defaults"}
	h.setDefault("--defaults-extra-file=/x")
	if len(h.defaults) != 1 || h.defaults[0] != "--defaults-extra-file=/x" {
		t.Errorf("--defaults-extra-file after --no-defaults: %q", h.defaults)
	}
}
