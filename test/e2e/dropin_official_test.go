//go:build e2e

package e2e

// The drop-in images used as the official ones are: other commands run at
// once, WordPress's setup wizard without WORDPRESS_* variables, the
// official MYSQL_* names, time zone tables, healthcheck.sh, server options
// (binary log, encryption) from the first initialisation.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// diRunOnce runs `docker run --rm args...` and returns its output; a
// command that waited for a database (120 s by default) or initialised one
// would not return within the limit.
func diRunOnce(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "/usr/bin/docker", append([]string{"run", "--rm", "--label", "io.wpstack.test=wpt-h"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker run %s: %v (after %s)\n%s", strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond), out.String())
	}
	t.Logf("docker run --rm %s returned in %s", strings.Join(args[1:], " "), time.Since(start).Round(time.Millisecond))
	return out.String()
}

func TestDropinOfficialCommands(t *testing.T) {
	diImages(t)
	for _, tc := range []struct {
		name  string
		image string
		args  []string
		want  string
	}{
		{"php -v", diWeb, []string{"php", "-v"}, `(?m)^PHP 8\.\d+\.\d+ \(cli\)`},
		{"web command as www-data", diWeb, []string{"id", "-un"}, `^www-data\n$`},
		{"mariadb --version", diDB, []string{"mariadb", "--version"}, `(?m)^mariadb\s.*\d+\.\d+\.\d+-MariaDB`},
		{"server --version, option only", diDB, []string{"--version"}, `(?m)mariadbd\s+Ver \d+\.\d+\.\d+-MariaDB`},
		{"mysqld --version", diDB, []string{"mysqld", "--version"}, `(?m)mariadbd\s+Ver \d+\.\d+\.\d+-MariaDB`},
		{"db command as mysql", diDB, []string{"id", "-un"}, `^mysql\n$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := diRunOnce(t, append([]string{tc.image}, tc.args...)...)
			if !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("output %q does not match %s", out, tc.want)
			}
			// The output is the command's alone: no start-up work ran.
			for _, s := range []string{"wpstack-init", "waiting for database", "copying WordPress", "initialising", "root password"} {
				if strings.Contains(out, s) {
					t.Errorf("the output shows start-up work (%q):\n%s", s, out)
				}
			}
		})
	}
	t.Run("unknown command", func(t *testing.T) {
		out, err := ctDocker("run", "--rm", "--label", "io.wpstack.test=wpt-h", diDB, "no-such-program")
		if err == nil || !strings.Contains(out, "no-such-program") || !strings.Contains(out, "not found") {
			t.Errorf("unknown command: %v %q", err, out)
		}
	})
}

// TestDropinOfficialDB: one database with the official interface's first
// start features and server options given as the command.
func TestDropinOfficialDB(t *testing.T) {
	diImages(t)
	dir := t.TempDir()
	rootPW := "r00t-" + ctRandom()
	secret := diWrite(t, filepath.Join(dir, "secrets", "root"), rootPW+"\n", 0o600)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("CREATE TABLE gz (v INT);\nINSERT INTO gz VALUES (42);\n"))
	zw.Close()
	initd := filepath.Join(dir, "initdb.d")
	diWrite(t, filepath.Join(initd, "01-data.sql.gz"), gz.String(), 0o644)
	key := make([]byte, 32)
	rand.Read(key)
	keys := diWrite(t, filepath.Join(dir, "keys", "keys.txt"), "1;"+hex.EncodeToString(key)+"\n", 0o644)

	db := diRun(t, "--tmpfs", "/run",
		"-v", secret+":/run/secrets/root:ro", "-e", "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root",
		"-e", "MYSQL_DATABASE=app",
		"-v", initd+":/docker-entrypoint-initdb.d:ro",
		"-v", filepath.Dir(keys)+":/etc/mysql/encryption:ro",
		diDB, "--log-bin", "--binlog-format=ROW",
		"--plugin-load-add=file_key_management", "--file-key-management-filename=/etc/mysql/encryption/keys.txt",
		"--innodb-encrypt-tables=ON", "--innodb-encrypt-log=ON", "--encrypt-binlog=ON")
	ctWaitHealthy(t, db, 2*time.Minute)
	sql := func(q string) string { t.Helper(); return diSQL(t, db, "root", rootPW, q) }

	t.Run("time zone tables", func(t *testing.T) {
		if out := sql("SELECT CONVERT_TZ('2024-07-01 12:00:00', 'UTC', 'Europe/Paris')"); out != "2024-07-01 14:00:00" {
			t.Errorf("CONVERT_TZ to Europe/Paris = %q, want 2024-07-01 14:00:00", out)
		}
	})
	t.Run("initdb .sql.gz", func(t *testing.T) {
		if out := sql("SELECT v FROM app.gz"); out != "42" {
			t.Errorf("app.gz holds %q, want 42", out)
		}
	})
	t.Run("binary log", func(t *testing.T) {
		for q, want := range map[string]string{
			"SHOW VARIABLES LIKE 'log_bin'":        "log_bin\tON",
			"SHOW VARIABLES LIKE 'binlog_format'":  "binlog_format\tROW",
			"SHOW VARIABLES LIKE 'encrypt_binlog'": "encrypt_binlog\tON",
		} {
			if out := sql(q); out != want {
				t.Errorf("%s = %q, want %q", q, out, want)
			}
		}
	})
	t.Run("encryption from the first initialisation", func(t *testing.T) {
		out := sql("SELECT ENCRYPTION_SCHEME FROM information_schema.INNODB_TABLESPACES_ENCRYPTION WHERE NAME = 'app/gz'")
		if out != "1" {
			t.Errorf("app.gz encryption scheme %q, want 1", out)
		}
		if out := sql("SHOW VARIABLES LIKE 'innodb_encrypt_log'"); out != "innodb_encrypt_log\tON" {
			t.Errorf("innodb_encrypt_log: %q", out)
		}
	})
	t.Run("healthcheck.sh", func(t *testing.T) {
		for _, args := range [][]string{
			{"--connect", "--innodb_initialized"},
			{"--su-mysql", "--connect", "--innodb_initialized", "--mariadbupgrade", "--innodb_buffer_pool_loaded"},
		} {
			if out, err := ctDocker(append([]string{"exec", db, "healthcheck.sh"}, args...)...); err != nil {
				t.Errorf("healthcheck.sh %s: %v %s", strings.Join(args, " "), err, out)
			}
		}
		if out, err := ctDocker("exec", db, "healthcheck.sh", "--no-such-test"); err == nil {
			t.Errorf("healthcheck.sh --no-such-test passed: %s", out)
		}
		if out := ctMust(t, "exec", db, "stat", "-c", "%a %U", "/var/lib/mysql/.my-healthcheck.cnf"); out != "600 mysql" {
			t.Errorf(".my-healthcheck.cnf: mode and owner %q, want 600 mysql", out)
		}
		cnf := ctMust(t, "exec", db, "cat", "/var/lib/mysql/.my-healthcheck.cnf")
		m := regexp.MustCompile(`(?m)^password=(\S+)$`).FindStringSubmatch(cnf)
		if m == nil || !strings.Contains(cnf, "user=healthcheck") {
			t.Fatalf(".my-healthcheck.cnf: %q", cnf)
		}
		if out := diSQL(t, db, "healthcheck", m[1], "SELECT CURRENT_USER()"); out != "healthcheck@127.0.0.1" {
			t.Errorf("the healthcheck account: %q", out)
		}
		if strings.Contains(ctLogs(db), m[1]) {
			t.Error("the healthcheck password is in the log")
		}
		diNoSecret(t, db, m[1])
	})
	t.Run("no root process", func(t *testing.T) { ctNoRootProcess(t, db) })
	t.Run("no secret in inspect or log", func(t *testing.T) {
		diNoSecret(t, db, rootPW)
		if strings.Contains(ctLogs(db), rootPW) {
			t.Error("the root password is in the log")
		}
	})
}

// TestDropinOfficialRandomRoot: the official names MYSQL_RANDOM_ROOT_PASSWORD
// (the generated password is printed once, the official image's way of
// handing it over) and MYSQL_INITDB_SKIP_TZINFO.
func TestDropinOfficialRandomRoot(t *testing.T) {
	diImages(t)
	db := diRun(t, "--tmpfs", "/run", "-e", "MYSQL_RANDOM_ROOT_PASSWORD=yes", "-e", "MYSQL_INITDB_SKIP_TZINFO=1", diDB)
	ctWaitHealthy(t, db, 2*time.Minute)
	log := ctLogs(db)
	all := regexp.MustCompile(`GENERATED ROOT PASSWORD: (\S+)`).FindAllStringSubmatch(log, -1)
	if len(all) != 1 || len(all[0][1]) < 20 {
		t.Fatalf("want the generated root password printed once, got %d:\n%s", len(all), log)
	}
	pw := all[0][1]
	if out := diSQL(t, db, "root", pw, "SELECT CURRENT_USER()"); out != "root@%" {
		t.Errorf("root with the generated password: %q", out)
	}
	diNoSecret(t, db, pw)
	if out := diSQL(t, db, "root", pw, "SELECT COUNT(*) FROM mysql.time_zone_name"); out != "0" {
		t.Errorf("MYSQL_INITDB_SKIP_TZINFO=1: %s time zone names loaded, want 0", out)
	}
	if out := diSQL(t, db, "root", pw, "SELECT CONVERT_TZ('2024-07-01 12:00:00', 'UTC', 'Europe/Paris') IS NULL"); out != "1" {
		t.Errorf("a named zone converts without time zone tables: %q", out)
	}
}

// TestDropinOfficialWizard: a web container with no WORDPRESS_* variable
// writes no wp-config.php and WordPress's setup wizard configures it, here
// against a database started with MYSQL_ALLOW_EMPTY_PASSWORD.
func TestDropinOfficialWizard(t *testing.T) {
	diImages(t)
	net := diName(t, "net")
	ctMust(t, "network", "create", "--label", "io.wpstack.test=wpt-h", net)
	db := diRun(t, "--tmpfs", "/run", "--network", net, "--network-alias", "db",
		"-e", "MYSQL_ALLOW_EMPTY_PASSWORD=yes", "-e", "MYSQL_DATABASE=wp", diDB)
	port := freePort(t)
	web := diRun(t, "--network", net, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), diWeb)

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	diWaitHTTP(t, base+"/", 2*time.Minute, func(code int, loc, _ string) bool {
		return code == http.StatusFound && strings.Contains(loc, "/wp-admin/setup-config.php")
	})
	diWaitHTTP(t, base+"/wp-admin/setup-config.php", 30*time.Second, func(code int, _, body string) bool {
		return code == http.StatusOK && strings.Contains(body, "<title>WordPress &rsaquo; Setup Configuration File</title>")
	})
	for _, p := range []string{"/var/www/wp-config.php", "/var/www/html/wp-config.php", "/var/www/html/wp-config-keys.php"} {
		if _, err := ctDocker("exec", web, "test", "-e", p); err == nil {
			t.Errorf("%s exists without any WORDPRESS_* variable", p)
		}
	}
	if log := ctLogs(web); strings.Contains(log, "waiting for database") {
		t.Errorf("the web container waited for a database it was not given:\n%s", log)
	}
	ctWaitHealthy(t, web, time.Minute)

	ctWaitHealthy(t, db, 2*time.Minute)
	if out := diSQL(t, db, "root", "", "SELECT CURRENT_USER()"); out != "root@%" {
		t.Errorf("MYSQL_ALLOW_EMPTY_PASSWORD: root without a password is %q", out)
	}
	w := newWP(t, port)
	resp, body := w.do("POST", "/wp-admin/setup-config.php?step=2", url.Values{
		"dbname": {"wp"}, "uname": {"root"}, "pwd": {""}, "dbhost": {"db"}, "prefix": {"wz_"},
		"noapi": {"1"}, "submit": {"Submit"},
	}, nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "install.php") || !strings.Contains(body, "All right, sparky!") {
		t.Fatalf("setup wizard step 2: %s %.800s", resp.Status, body)
	}
	if out := ctMust(t, "exec", web, "stat", "-c", "%U", "/var/www/html/wp-config.php"); out != "www-data" {
		t.Errorf("the wizard's wp-config.php belongs to %q", out)
	}
	diWaitHTTP(t, base+"/wp-admin/install.php", 30*time.Second, func(code int, _, body string) bool {
		return code == http.StatusOK && strings.Contains(body, "<title>WordPress &rsaquo; Installation</title>")
	})
	diInstall(t, w, "wpt-h wizard", "admin", "pw-"+ctRandom())
	if out := diSQL(t, db, "root", "", "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='wp' AND TABLE_NAME='wz_options'"); out != "1" {
		t.Errorf("the wizard's prefix: wz_options count %q", out)
	}
	t.Run("no root process", func(t *testing.T) { ctNoRootProcess(t, web) })
}
