//go:build e2e

package e2e

// The drop-in images: `wpstack images build` / `images list`, the official
// images' environment on wpstack/mariadb and wpstack/wordpress, and the
// compose files of testdata/compose run with docker-compose.

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDropinImagesCommands(t *testing.T) {
	built := diImages(t)
	t.Log(diOutput)
	repos := map[string]diPublic{}
	for _, p := range built {
		repos[p.Repository] = p
	}
	for repo, version := range map[string]*regexp.Regexp{
		"wpstack/wordpress": regexp.MustCompile(`^\d+\.\d+(\.\d+)?$`),
		"wpstack/mariadb":   regexp.MustCompile(`^\d+\.\d+\.\d+$`),
	} {
		p, ok := repos[repo]
		if !ok {
			t.Fatalf("images build reported no %s: %+v", repo, built)
		}
		if !version.MatchString(p.Version) {
			t.Errorf("%s: version %q", repo, p.Version)
		}
		want := []string{repo + ":" + p.Version, repo + ":latest"}
		if strings.Join(p.Tags, " ") != strings.Join(want, " ") {
			t.Errorf("%s: tags %v, want %v", repo, p.Tags, want)
		}
		// The version tag is the server's own idea of its version.
		if repo == "wpstack/mariadb" {
			out := ctMust(t, "run", "--rm", "--entrypoint", "mariadbd", want[0], "--version")
			if !strings.Contains(out, "Ver "+p.Version+"-") {
				t.Errorf("mariadbd --version in %s: %q", want[0], out)
			}
		}
	}

	e := newEnv(t)
	r := e.mustRun("images", "list", "--json")
	var listed []diPublic
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatalf("images list --json: %v\n%s", err, r.stdout)
	}
	for repo, p := range repos {
		found := false
		for _, l := range listed {
			found = found || (l.Repository == repo && strings.Contains(strings.Join(l.Tags, " "), repo+":"+p.Version))
		}
		if !found {
			t.Errorf("images list --json does not show %s:%s: %s", repo, p.Version, r.stdout)
		}
	}
	r = e.mustRun("images", "list")
	if !strings.Contains(r.stdout, "wpstack/mariadb") || !strings.Contains(r.stdout, "REPOSITORY") {
		t.Errorf("images list:\n%s", r.stdout)
	}
	if r := e.run("images"); r.code != 2 || !strings.Contains(r.stderr, "build or list") {
		t.Errorf("images without a subcommand: %s", r)
	}
	e.mustFail([]string{"--wordpress-source"}, "images", "build", "--wordpress-source", "ftp://example.com/wp.zip")
}

// TestDropinDBRootPassword covers the root password choices: refused when
// missing or empty, allowed empty, random (printed once).
func TestDropinDBRootPassword(t *testing.T) {
	diImages(t)

	t.Run("refused without one", func(t *testing.T) {
		for _, env := range [][]string{nil, {"-e", "MARIADB_ROOT_PASSWORD="}, {"-e", "MYSQL_ALLOW_EMPTY_ROOT_PASSWORD=no"}} {
			vol := diName(t, "vol")
			db := diRun(t, append(append([]string{"--tmpfs", "/run", "-v", vol + ":/var/lib/mysql"}, env...), diDB)...)
			if code := ctWaitExit(t, db, 60*time.Second); code == 0 {
				t.Errorf("%v: exit 0, want a refusal", env)
			}
			log := ctLogs(db)
			if !strings.Contains(log, "no root password is set") || !strings.Contains(log, "MARIADB_ROOT_PASSWORD") {
				t.Errorf("%v: the refusal does not say what to set:\n%s", env, log)
			}
			// Nothing half-made: the volume holds no data directory.
			if out := ctMust(t, "run", "--rm", "-v", vol+":/v", "--entrypoint", "ls", diDB, "-A", "/v"); strings.Contains(out, "data") {
				t.Errorf("%v: a refused start left %q in the volume", env, out)
			}
		}
	})

	t.Run("allowed empty, from a _FILE", func(t *testing.T) {
		flag := diWrite(t, filepath.Join(t.TempDir(), "allow"), "yes\n", 0o600)
		db := diRun(t, "--tmpfs", "/run", "-v", flag+":/run/secrets/allow:ro",
			"-e", "MYSQL_ALLOW_EMPTY_ROOT_PASSWORD_FILE=/run/secrets/allow", diDB)
		ctWaitHealthy(t, db, 90*time.Second)
		if out := diSQL(t, db, "root", "", "SELECT CURRENT_USER()"); out != "root@%" {
			t.Errorf("root without a password: %q", out)
		}
	})

	t.Run("random, printed once", func(t *testing.T) {
		flag := diWrite(t, filepath.Join(t.TempDir(), "random"), "1", 0o600)
		db := diRun(t, "--tmpfs", "/run", "-v", flag+":/run/secrets/random:ro",
			"-e", "MARIADB_RANDOM_ROOT_PASSWORD_FILE=/run/secrets/random", diDB)
		ctWaitHealthy(t, db, 90*time.Second)
		m := regexp.MustCompile(`GENERATED ROOT PASSWORD: (\S+)`).FindStringSubmatch(ctLogs(db))
		if m == nil || len(m[1]) < 20 {
			t.Fatalf("no generated root password in the log:\n%s", ctLogs(db))
		}
		if out := diSQL(t, db, "root", m[1], "SELECT CURRENT_USER()"); out != "root@%" {
			t.Errorf("root with the generated password: %q", out)
		}
		ctMust(t, "restart", db)
		ctWaitHealthy(t, db, 90*time.Second)
		if n := diCount(db, "GENERATED ROOT PASSWORD"); n != 1 {
			t.Errorf("the generated password is printed %d times after a restart, want once", n)
		}
		if out := diSQL(t, db, "root", m[1], "SELECT 1"); out != "1" {
			t.Errorf("root after restart: %q", out)
		}
	})
}

// diInitScripts writes one init script of every kind; each appends a row
// to init.runs, so the table shows which ran and in what order.
func diInitScripts(t *testing.T, dir string) {
	t.Helper()
	sql := func(n string) string { return "INSERT INTO runs (name) VALUES ('" + n + "');\n" }
	diWrite(t, filepath.Join(dir, "01-schema.sql"), "CREATE TABLE runs (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20));\n"+sql("sql"), 0o644)
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(sql("gz")))
	zw.Close()
	diWrite(t, filepath.Join(dir, "02-data.sql.gz"), gz.String(), 0o644)
	diWrite(t, filepath.Join(dir, "03-data.sql"), sql("xz"), 0o644)
	diWrite(t, filepath.Join(dir, "04-data.sql"), sql("zst"), 0o644)
	// Compressed with the image's own tools; the originals go.
	ctMust(t, "run", "--rm", "-v", dir+":/w", "--entrypoint", "sh", diDB, "-c",
		"xz /w/03-data.sql && zstd -q --rm /w/04-data.sql && chmod 644 /w/*")
	// Not executable: run with sh, as the official image sources it.
	diWrite(t, filepath.Join(dir, "05-plain.sh"),
		`mysql -uroot -p"$MYSQL_ROOT_PASSWORD" "$MARIADB_DATABASE" -e "INSERT INTO runs (name) VALUES ('sh')"`+"\n", 0o644)
	diWrite(t, filepath.Join(dir, "06-exec.sh"),
		"#!/bin/sh\nset -e\n[ \"$(id -un)\" = mysql ]\nmariadb -uroot -p\"$MARIADB_ROOT_PASSWORD\" \"$MYSQL_DATABASE\" -e \"INSERT INTO runs (name) VALUES ('exec-sh')\"\n", 0o755)
	diWrite(t, filepath.Join(dir, "07-notes.txt"), "not run\n", 0o644)
}

// TestDropinDBEnvironment runs one database with every setting given as a
// _FILE (both prefixes), init scripts of every kind and extra server
// arguments, then checks the first start only runs the scripts once.
func TestDropinDBEnvironment(t *testing.T) {
	diImages(t)
	dir := t.TempDir()
	secret := func(name, value string) string {
		return diWrite(t, filepath.Join(dir, "secrets", name), value+"\n", 0o600)
	}
	initd := filepath.Join(dir, "initdb.d")
	diInitScripts(t, initd)
	rootPW, userPW := "r00t 'x' "+ctRandom(), "us\"er;"+ctRandom()
	vol, net := diName(t, "vol"), diName(t, "net")
	ctMust(t, "network", "create", "--label", "io.wpstack.test=wpt-h", net)
	files := map[string]string{
		"MARIADB_ROOT_PASSWORD": secret("root", rootPW),
		"MYSQL_ROOT_HOST":       secret("roothost", "10.%"),
		"MYSQL_DATABASE":        secret("database", "init"),
		"MARIADB_USER":          secret("user", "app"),
		"MYSQL_PASSWORD":        secret("password", userPW),
	}
	args := []string{"--tmpfs", "/run", "--network", net, "--network-alias", "db", "-v", vol + ":/var/lib/mysql",
		"-v", initd + ":/docker-entrypoint-initdb.d:ro"}
	for name, path := range files {
		args = append(args, "-v", path+":/run/secrets/"+name+":ro", "-e", name+"_FILE=/run/secrets/"+name)
	}
	db := diRun(t, append(args, diDB, "--log-bin=binlog", "--server-id=7")...)
	ctWaitHealthy(t, db, 2*time.Minute)

	t.Run("init scripts ran once, in order", func(t *testing.T) {
		if out := diSQL(t, db, "app", userPW, "SELECT GROUP_CONCAT(name ORDER BY id) FROM init.runs"); out != "sql,gz,xz,zst,sh,exec-sh" {
			t.Errorf("scripts ran as %q, want sql,gz,xz,zst,sh,exec-sh", out)
		}
		if !strings.Contains(ctLogs(db), "ignoring /docker-entrypoint-initdb.d/07-notes.txt") {
			t.Errorf("the ignored file is not reported:\n%s", ctLogs(db))
		}
		ctMust(t, "restart", db)
		ctWaitHealthy(t, db, 90*time.Second)
		if out := diSQL(t, db, "app", userPW, "SELECT COUNT(*) FROM init.runs"); out != "6" {
			t.Errorf("after a restart the table has %s rows, want 6: the scripts ran again", out)
		}
	})
	t.Run("accounts from the _FILE settings", func(t *testing.T) {
		if out := diSQL(t, db, "app", userPW, "SELECT CURRENT_USER(), DATABASE()"); out != "app@%\tNULL" {
			t.Errorf("user: %q", out)
		}
		out := diSQL(t, db, "app", userPW, "SHOW GRANTS")
		if !strings.Contains(out, "ON `init`.*") {
			t.Errorf("grants of app: %s", out)
		}
		// root@'10.%' (MYSQL_ROOT_HOST) instead of root@'%'.
		out = ctMust(t, "exec", "-e", "MYSQL_PWD="+rootPW, db, "mariadb", "--no-defaults", "--protocol=socket",
			"--socket=/run/mysqld/mysqld.sock", "-uroot", "--batch", "--skip-column-names",
			"-e", "SELECT GROUP_CONCAT(host ORDER BY host) FROM mysql.user WHERE user='root'")
		if out != "10.%,localhost" {
			t.Errorf("root hosts: %q, want 10.%%,localhost", out)
		}
	})
	t.Run("server arguments", func(t *testing.T) {
		out := diSQL(t, db, "app", userPW, "SELECT @@log_bin, @@server_id")
		if out != "1\t7" {
			t.Errorf("log_bin, server_id = %q, want 1 and 7", out)
		}
		top := ctMust(t, "top", db, "-o", "pid,args")
		if !strings.Contains(top, "--log-bin=binlog --server-id=7") {
			t.Errorf("mariadbd does not get the container's arguments:\n%s", top)
		}
	})
	t.Run("client for linked containers", func(t *testing.T) {
		out := ctMust(t, "run", "--rm", "--network", net, "--entrypoint", "mysql", diDB,
			"-hdb", "-uapp", "-p"+userPW, "--batch", "--skip-column-names", "-e", "SELECT COUNT(*) FROM init.runs")
		if out != "6" {
			t.Errorf("mysql from another container: %q", out)
		}
	})
	t.Run("no root process", func(t *testing.T) { ctNoRootProcess(t, db) })
	t.Run("no secret in inspect", func(t *testing.T) { diNoSecret(t, db, rootPW, userPW) })
	t.Run("clean stop", func(t *testing.T) {
		ctMust(t, "stop", db)
		if code := ctInspect(t, db, "{{.State.ExitCode}}"); code != "0" {
			t.Errorf("exit code after docker stop: %s\n%s", code, ctLogs(db))
		}
		if !strings.Contains(ctLogs(db), "Shutdown complete") {
			t.Errorf("mariadbd did not shut down cleanly:\n%s", ctLogs(db))
		}
	})
}

// TestDropinDBInitFailure: a failing init script fails the first start and
// leaves no data directory; the next start with a good script initialises.
func TestDropinDBInitFailure(t *testing.T) {
	diImages(t)
	initd := filepath.Join(t.TempDir(), "initdb.d")
	diWrite(t, filepath.Join(initd, "01-ok.sql"), "CREATE TABLE t (v INT);\n", 0o644)
	diWrite(t, filepath.Join(initd, "02-bad.sql"), "THIS IS NOT SQL;\n", 0o644)
	vol := diName(t, "vol")
	args := []string{"--tmpfs", "/run", "-v", vol + ":/var/lib/mysql", "-v", initd + ":/docker-entrypoint-initdb.d:ro",
		"-e", "MARIADB_ROOT_PASSWORD=pw", "-e", "MARIADB_DATABASE=app"}
	db := diRun(t, append(args, diDB)...)
	if code := ctWaitExit(t, db, 2*time.Minute); code == 0 {
		t.Fatalf("a failing init script did not fail the start:\n%s", ctLogs(db))
	}
	if !strings.Contains(ctLogs(db), "02-bad.sql") {
		t.Errorf("the failure does not name the script:\n%s", ctLogs(db))
	}
	if out := ctMust(t, "run", "--rm", "-v", vol+":/v", "--entrypoint", "ls", diDB, "-A", "/v"); strings.Contains(out, "data") {
		t.Errorf("a failed initialisation left %q", out)
	}
	diWrite(t, filepath.Join(initd, "02-bad.sql"), "INSERT INTO t VALUES (1);\n", 0o644)
	db2 := diRun(t, append(args, diDB)...)
	ctWaitHealthy(t, db2, 2*time.Minute)
	if out := diSQL(t, db2, "root", "pw", "SELECT COUNT(*) FROM app.t"); out != "1" {
		t.Errorf("after a clean retry: %q rows", out)
	}
}

// TestDropinWebEnvironment gives every WORDPRESS_* setting as a _FILE and
// reads back, over HTTP, what WordPress was configured with.
func TestDropinWebEnvironment(t *testing.T) {
	diImages(t)
	net := diName(t, "net")
	ctMust(t, "network", "create", "--label", "io.wpstack.test=wpt-h", net)
	db := diRun(t, "--tmpfs", "/run", "--network", net, "--network-alias", "dbhost", "-e", "MARIADB_ROOT_PASSWORD=rootpw",
		"-e", "MARIADB_USER=wpuser", "-e", "MARIADB_PASSWORD=wp pass", "-e", "MARIADB_DATABASE=site", diDB)

	dir := t.TempDir()
	// CONFIG_EXTRA answers ?wpt-h with what wp-config.php defined.
	extra := `define('WPT_H_EXTRA', 'yes');
if (isset($_GET['wpt-h'])) {
	header('Content-Type: application/json');
	echo json_encode(array('host' => DB_HOST, 'user' => DB_USER, 'password' => DB_PASSWORD, 'name' => DB_NAME,
		'charset' => DB_CHARSET, 'collate' => DB_COLLATE, 'prefix' => $table_prefix, 'auth_key' => AUTH_KEY,
		'nonce_salt' => NONCE_SALT, 'debug' => WP_DEBUG, 'https' => isset($_SERVER['HTTPS']) ? $_SERVER['HTTPS'] : ''));
	exit;
}`
	settings := map[string]string{
		"WORDPRESS_DB_HOST":      "dbhost:3306",
		"WORDPRESS_DB_USER":      "wpuser",
		"WORDPRESS_DB_PASSWORD":  "wp pass",
		"WORDPRESS_DB_NAME":      "site",
		"WORDPRESS_TABLE_PREFIX": "wpx_",
		"WORDPRESS_DB_CHARSET":   "utf8mb4",
		"WORDPRESS_DB_COLLATE":   "utf8mb4_unicode_ci",
		"WORDPRESS_DEBUG":        "1",
		"WORDPRESS_CONFIG_EXTRA": extra,
	}
	for _, k := range []string{"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"} {
		settings["WORDPRESS_"+k] = strings.ToLower(k) + "-" + ctRandom()
	}
	port := freePort(t)
	args := []string{"--tmpfs", "/run", "--network", net, "-p", fmt.Sprintf("127.0.0.1:%d:80", port)}
	for name, value := range settings {
		p := diWrite(t, filepath.Join(dir, name), value+"\n", 0o600)
		args = append(args, "-v", p+":/run/secrets/"+name+":ro", "-e", name+"_FILE=/run/secrets/"+name)
	}
	web := diRun(t, append(args, diWeb)...)
	ctWaitHealthy(t, db, 2*time.Minute)
	ctWaitHealthy(t, web, 2*time.Minute)

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(path string, header map[string]string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatalf("GET %s: %s: %v", path, resp.Status, err)
		}
		return got
	}
	got := get("/?wpt-h", nil)
	want := map[string]any{
		"host": "dbhost:3306", "user": "wpuser", "password": "wp pass", "name": "site", "charset": "utf8mb4",
		"collate": "utf8mb4_unicode_ci", "prefix": "wpx_", "auth_key": settings["WORDPRESS_AUTH_KEY"],
		"nonce_salt": settings["WORDPRESS_NONCE_SALT"], "debug": true, "https": "",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	// No WPSTACK_TRUSTED_PROXIES: a client's X-Forwarded-Proto counts for
	// nothing (TestHardenTrustedProxy covers a trusted one).
	if got := get("/?wpt-h", map[string]string{"X-Forwarded-Proto": "https"}); got["https"] != "" {
		t.Errorf("X-Forwarded-Proto: https from an untrusted client sets HTTPS: %#v", got["https"])
	}
	// Keys given by the environment: nothing generated into the webroot.
	if _, err := ctDocker("exec", web, "test", "-e", "/var/www/html/wp-config-keys.php"); err == nil {
		t.Error("keys were generated although all eight are set")
	}

	// The wizard, then an installed site whose tables carry the prefix.
	w := newWP(t, port)
	diInstall(t, w, "wpt-h env", "admin", "pw-"+ctRandom())
	out := diSQL(t, db, "wpuser", "wp pass", "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='site' AND TABLE_NAME LIKE 'wpx\\_%'")
	if out == "0" {
		t.Errorf("no wpx_ table in the site database")
	}
	t.Run("no root process", func(t *testing.T) { ctNoRootProcess(t, web) })
	t.Run("no secret in inspect", func(t *testing.T) {
		diNoSecret(t, web, settings["WORDPRESS_AUTH_KEY"], "wp pass")
	})
	t.Run("NAME and NAME_FILE both set", func(t *testing.T) {
		bad := diRun(t, "--tmpfs", "/run", "-e", "WPSTACK_DB_WAIT=0", "-e", "WORDPRESS_DB_USER=a",
			"-e", "WORDPRESS_DB_USER_FILE=/etc/hostname", diWeb)
		if code := ctWaitExit(t, bad, time.Minute); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		if log := ctLogs(bad); !strings.Contains(log, "both WORDPRESS_DB_USER and WORDPRESS_DB_USER_FILE are set") {
			t.Errorf("the refusal does not name the variable:\n%s", log)
		}
	})
}

// diInstall goes through WordPress's install wizard over HTTP and logs in.
func diInstall(t *testing.T, w *wp, title, user, password string) {
	t.Helper()
	resp, body := w.do("POST", "/wp-admin/install.php?step=2", url.Values{
		"weblog_title": {title}, "user_name": {user}, "admin_password": {password}, "admin_password2": {password},
		"pw_weak": {"1"}, "admin_email": {"admin@example.com"}, "blog_public": {"0"}, "Submit": {"Install WordPress"},
	}, nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Success!") {
		t.Fatalf("install wizard step 2: %s %.600s", resp.Status, body)
	}
	w.login(user, password)
}

func TestDropinComposeStep7(t *testing.T) {
	diImages(t)
	c := newCompose(t, "step7.yml")
	c.must("up", "-d")
	c.waitWizard()
	for _, s := range []string{"wordpress", "mysql"} {
		ctNoRootProcess(t, c.container(s))
	}
	if !strings.Contains(ctLogs(c.container("wordpress")), "created database wordpress") {
		t.Errorf("the web container did not create the database:\n%s", ctLogs(c.container("wordpress")))
	}
}

func TestDropinComposeStep8(t *testing.T) {
	diImages(t)
	c := newCompose(t, "step8.yml")
	c.must("up", "-d")
	c.waitWizard()

	w := newWP(t, c.port)
	password := "pw-" + ctRandom()
	diInstall(t, w, "wpt-h step 8", "admin", password)
	post := w.newPost("admin", password, "kept across down and up")
	keys := readFile(t, filepath.Join(c.dir, "source_code_wordpress", "wp-config-keys.php"))
	// An update from wp-admin, as the course asks: the files in the host
	// folder now say a newer version than the image ships.
	versionPHP := filepath.Join(c.dir, "source_code_wordpress", "wp-includes", "version.php")
	src := readFile(t, versionPHP)
	updated := regexp.MustCompile(`\$wp_version = '[^']*';`).ReplaceAllString(src, "$$wp_version = '99.1';")
	if updated == src {
		t.Fatalf("no $wp_version in %s", versionPHP)
	}
	diWrite(t, versionPHP, updated, 0o644)

	c.must("down")
	c.must("up", "-d")
	diWaitHTTP(t, c.url("/?p="+post), 3*time.Minute, func(code int, _, body string) bool {
		return code == http.StatusOK && strings.Contains(body, "kept across down and up")
	})
	// Same keys, so the login made before `down` still holds.
	if got := readFile(t, filepath.Join(c.dir, "source_code_wordpress", "wp-config-keys.php")); got != keys {
		t.Error("the generated keys changed across down/up")
	}
	if resp, body := w.get("/wp-admin/"); resp.StatusCode != 200 || !strings.Contains(body, "Dashboard") {
		t.Errorf("the login did not survive down/up: /wp-admin/ answered %s", resp.Status)
	}
	if got := readFile(t, versionPHP); got != updated {
		t.Error("the updated core was replaced by the image's")
	}
	for _, s := range []string{"wordpress", "mysql"} {
		ctNoRootProcess(t, c.container(s))
	}
	// The host folders belong to the service users, as with the official images.
	for dir, uid := range map[string]int{"source_code_wordpress": 33, "data_wordpress": 999} {
		fi, err := os.Stat(filepath.Join(c.dir, dir))
		if err != nil {
			t.Fatal(err)
		}
		if got := diUID(fi); got != uid {
			t.Errorf("%s is owned by uid %d, want %d", dir, got, uid)
		}
	}
}

func TestDropinComposeOfficialExample(t *testing.T) {
	diImages(t)
	c := newCompose(t, "official.yml")
	c.must("up", "-d")
	c.waitWizard()
	db := c.container("db")
	if n := diCount(db, "GENERATED ROOT PASSWORD: "); n != 1 {
		t.Errorf("the random root password is printed %d times, want once", n)
	}
	if out := diSQL(t, db, "exampleuser", "examplepass", "SELECT DATABASE()"); out != "NULL" {
		t.Errorf("exampleuser: %q", out)
	}
	if !strings.Contains(diSQL(t, db, "exampleuser", "examplepass", "SHOW DATABASES"), "exampledb") {
		t.Error("exampleuser does not see exampledb")
	}
	for _, s := range []string{"wordpress", "db"} {
		ctNoRootProcess(t, c.container(s))
	}
}
