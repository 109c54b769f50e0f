//go:build e2e

package e2e

// Tests of `wpstack-init ...`, the PID 1 of the wpstack images, in real
// containers built from internal/images/recipes.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ctDBArgs are the docker run arguments of a db container like the host
// side makes: secrets as read-only files, *_FILE variables, tmpfs /run.
func ctDBArgs(t *testing.T, volume string) (args []string, rootPW, userPW string) {
	t.Helper()
	dir := t.TempDir()
	rootPW, userPW = "r00t 'pw' \\ "+ctRandom(), "wp\"pw;"+ctRandom()
	root := ctSecretFile(t, dir, "db_root_password", rootPW)
	user := ctSecretFile(t, dir, "db_password", userPW)
	return []string{
		"--tmpfs", "/run",
		"-v", volume + ":/var/lib/mysql",
		"-v", root + ":/run/secrets/db_root_password:ro",
		"-v", user + ":/run/secrets/db_password:ro",
		"-e", "MARIADB_ROOT_PASSWORD_FILE=/run/secrets/db_root_password",
		"-e", "MARIADB_PASSWORD_FILE=/run/secrets/db_password",
		"-e", "MARIADB_USER=wp",
		"-e", "MARIADB_DATABASE=wordpress",
	}, rootPW, userPW
}

// ctNoSecretInInspect fails when a secret value shows in docker inspect.
func ctNoSecretInInspect(t *testing.T, name string, secrets ...string) {
	t.Helper()
	out := ctMust(t, "inspect", name)
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("docker inspect %s shows a secret value", name)
		}
	}
}

func TestContainerDB(t *testing.T) {
	ctImages(t)
	vol := ctName(t, "vol")
	args, rootPW, userPW := ctDBArgs(t, vol)
	db := ctRun(t, append(args, ctDBImage)...)
	ctWaitHealthy(t, db, 90*time.Second)

	t.Run("no root process", func(t *testing.T) { ctNoRootProcess(t, db) })
	t.Run("no secret in inspect", func(t *testing.T) { ctNoSecretInInspect(t, db, rootPW, userPW) })
	t.Run("accounts", func(t *testing.T) {
		// The user logs in over TCP with the password from the file, and
		// sees its database.
		out := ctMust(t, "exec", db, "mariadb", "--no-defaults", "-h127.0.0.1", "-uwp", "-p"+userPW,
			"--batch", "--skip-column-names", "-e", "SELECT DATABASE(), CURRENT_USER()", "wordpress")
		if out != "wordpress\twp@%" {
			t.Errorf("user query: %q", out)
		}
		// Only the accounts wpstack means to exist: no password-less
		// root@127.0.0.1 or root@<hostname> left by mariadb-install-db;
		// the healthcheck accounts are the official image's (healthcheck.sh).
		out = ctMust(t, "exec", db, "mariadb", "--no-defaults", "-h127.0.0.1", "-uroot", "-p"+rootPW,
			"--batch", "--skip-column-names", "-e", "SELECT GROUP_CONCAT(CONCAT(user,'@',host) ORDER BY user, host) FROM mysql.user")
		if want := "healthcheck@127.0.0.1,healthcheck@::1,healthcheck@localhost,mariadb.sys@localhost,mysql@localhost,root@%,root@localhost,wp@%"; out != want {
			t.Errorf("accounts: %s, want %s", out, want)
		}
		if _, err := ctDocker("exec", db, "mariadb", "--no-defaults", "-h127.0.0.1", "-uroot", "-e", "SELECT 1"); err == nil {
			t.Error("root logs in without a password")
		}
	})
	t.Run("stop is clean and quick", func(t *testing.T) {
		ctMust(t, "exec", db, "mariadb", "--no-defaults", "-h127.0.0.1", "-uwp", "-p"+userPW, "wordpress",
			"-e", "CREATE TABLE kept (v INT); INSERT INTO kept VALUES (42)")
		start := time.Now()
		ctMust(t, "stop", db)
		took := time.Since(start)
		if took > 10*time.Second {
			t.Errorf("docker stop took %s", took)
		}
		t.Logf("docker stop took %s", took.Round(time.Millisecond))
		if code := ctInspect(t, db, "{{.State.ExitCode}}"); code != "0" {
			t.Errorf("exit code after docker stop: %s; log:\n%s", code, ctLogs(db))
		}
		since := time.Now().UTC().Format(time.RFC3339Nano)
		ctMust(t, "start", db)
		ctWaitHealthy(t, db, 60*time.Second)
		logs := ctMust(t, "logs", "--since", since, db)
		if strings.Contains(strings.ToLower(logs), "crash recovery") || strings.Contains(logs, "initialising") {
			t.Errorf("second start recovered or re-initialised:\n%s", logs)
		}
		out := ctMust(t, "exec", db, "mariadb", "--no-defaults", "-h127.0.0.1", "-uwp", "-p"+userPW, "wordpress",
			"--batch", "--skip-column-names", "-e", "SELECT v FROM kept")
		if out != "42" {
			t.Errorf("data after restart: %q", out)
		}
	})
}

func TestContainerDBNeedsRootPassword(t *testing.T) {
	ctImages(t)
	db := ctRun(t, "--tmpfs", "/run", "-e", "MARIADB_DATABASE=x", ctDBImage)
	if code := ctWaitExit(t, db, 30*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if logs := ctLogs(db); !strings.Contains(logs, "no root password is set: set MARIADB_ROOT_PASSWORD_FILE") {
		t.Errorf("no clear message:\n%s", logs)
	}
}

func TestContainerDBInterruptedInit(t *testing.T) {
	ctImages(t)
	vol := ctName(t, "vol")
	ls := func() string {
		return ctMust(t, "run", "--rm", "--label", ctLabel, "-v", vol+":/v", "--entrypoint", "ls", ctDBImage, "-A", "/v")
	}

	// A leftover of an earlier, killed initialisation.
	ctMust(t, "run", "--rm", "--label", ctLabel, "-v", vol+":/v", "--entrypoint", "sh", ctDBImage, "-c",
		"mkdir -p /v/.init/mysql && echo junk > /v/.init/ibdata1 && echo junk > /v/.init/mysql/user.frm")
	args, _, _ := ctDBArgs(t, vol)
	db := ctRun(t, append(args, ctDBImage)...)
	// Killed while initialising this time.
	ctWaitLog(t, db, "initialising the database", 30*time.Second)
	ctMust(t, "kill", db)
	ctWaitExit(t, db, 10*time.Second)
	if entries := ls(); strings.Contains(entries, ".init") && strings.Contains(entries, "data") {
		t.Fatalf("both .init and data after a kill: %q", entries)
	}
	ctMust(t, "start", db)
	ctWaitHealthy(t, db, 90*time.Second)
	// data and the option file of healthcheck.sh, which the official
	// image also keeps at the top of the volume.
	if entries := ls(); entries != ".my-healthcheck.cnf\ndata" {
		t.Errorf("volume holds %q, want only .my-healthcheck.cnf and data", entries)
	}
}

func TestContainerWebAndDB(t *testing.T) {
	ctImages(t)
	net := ctName(t, "net")
	ctMust(t, "network", "create", "--label", ctLabel, net)
	dbArgs, rootPW, userPW := ctDBArgs(t, ctName(t, "vol"))
	db := ctRun(t, append(append([]string{"--network", net, "--network-alias", "db"}, dbArgs...), ctDBImage)...)

	dir := t.TempDir()
	pw := ctSecretFile(t, dir, "db_password", userPW)
	salts := ctSecretFile(t, dir, "wp_salts", "AUTH_KEY=k1=x\nSECURE_AUTH_KEY=k2\nLOGGED_IN_KEY=k3\nNONCE_KEY=k4\nAUTH_SALT=s1\nSECURE_AUTH_SALT=s2\nLOGGED_IN_SALT=s3\nNONCE_SALT=s4")
	web := ctRun(t, "--network", net, "--tmpfs", "/run", "-p", "127.0.0.1::80",
		"-v", ctName(t, "vol")+":/var/www/html",
		"-v", pw+":/run/secrets/db_password:ro",
		"-v", salts+":/run/secrets/wp_salts:ro",
		"-e", "WORDPRESS_DB_HOST=db:3306",
		"-e", "WORDPRESS_DB_NAME=wordpress",
		"-e", "WORDPRESS_DB_USER=wp",
		"-e", "WORDPRESS_DB_PASSWORD_FILE=/run/secrets/db_password",
		"-e", "WORDPRESS_TABLE_PREFIX=wp_",
		"-e", "WPSTACK_SALTS_FILE=/run/secrets/wp_salts",
		ctWebImage)
	ctWaitHealthy(t, db, 90*time.Second)
	ctWaitHealthy(t, web, 90*time.Second)

	addr := ctMust(t, "port", web, "80/tcp")
	addr = strings.Split(addr, "\n")[0]
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	get := func(path string) (int, string, http.Header) {
		t.Helper()
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v\nweb log:\n%s", path, err, ctLogs(web))
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}

	t.Run("home redirects to the installer", func(t *testing.T) {
		code, _, h := get("/")
		if code != http.StatusFound || !strings.Contains(h.Get("Location"), "/wp-admin/install.php") {
			t.Fatalf("GET / = %d %q; log:\n%s", code, h.Get("Location"), ctLogs(web))
		}
		code, body, _ := get("/wp-admin/install.php")
		if code != http.StatusOK || !strings.Contains(body, "WordPress") {
			t.Fatalf("install page = %d:\n%.500s", code, body)
		}
	})
	t.Run("health", func(t *testing.T) {
		if code, body, _ := get("/.wpstack/health"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
			t.Fatalf("health = %d %q", code, body)
		}
		out := ctMust(t, "exec", web, "wpstack-init", "health", "web")
		if out != "healthy" {
			t.Errorf("health command: %q", out)
		}
	})
	t.Run("version", func(t *testing.T) {
		v := ctMust(t, "exec", "-u", "www-data", web, "wpstack-init", "version")
		if _, err := strconv.Atoi(strings.Split(v, ".")[0]); err != nil {
			t.Errorf("version %q", v)
		}
	})
	t.Run("webroot owned by www-data", func(t *testing.T) {
		out := ctMust(t, "exec", web, "sh", "-c", "stat -c %U /var/www/html /var/www/html/wp-includes/version.php; find /var/www/html ! -user www-data | wc -l")
		if out != "www-data\nwww-data\n0" {
			t.Errorf("ownership: %q", out)
		}
	})
	t.Run("no root process", func(t *testing.T) {
		ctNoRootProcess(t, web)
		ctNoRootProcess(t, db)
	})
	t.Run("no secret in inspect", func(t *testing.T) {
		ctNoSecretInInspect(t, web, userPW, "k1=x")
		ctNoSecretInInspect(t, db, rootPW, userPW)
	})
	t.Run("access log on stdout", func(t *testing.T) {
		get("/wp-login.php?ctprobe=1")
		ctWaitLog(t, web, "GET /wp-login.php?ctprobe=1", 5*time.Second)
	})
	t.Run("stop", func(t *testing.T) {
		start := time.Now()
		ctMust(t, "stop", web)
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("docker stop web took %s", took)
		}
		if code := ctInspect(t, web, "{{.State.ExitCode}}"); code != "0" {
			t.Errorf("web exit code after stop: %s", code)
		}
	})
}

func TestContainerWebDBWaitTimesOut(t *testing.T) {
	ctImages(t)
	web := ctRun(t, "--tmpfs", "/run", "-e", "WORDPRESS_DB_HOST=wpt-a-nowhere:3306", "-e", "WPSTACK_DB_WAIT=3", ctWebImage)
	if code := ctWaitExit(t, web, 30*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if logs := ctLogs(web); !strings.Contains(logs, "database wpt-a-nowhere:3306 not reachable after 3s") {
		t.Errorf("no clear message:\n%s", logs)
	}
}

func TestContainerExitCodes(t *testing.T) {
	ctImages(t)
	for _, tc := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"kill -TERM $$", 143},
	} {
		c := ctRun(t, ctRunImage, "sh", "-c", tc.script)
		if code := ctWaitExit(t, c, 20*time.Second); code != tc.want {
			t.Errorf("%q: exit code %d, want %d; log:\n%s", tc.script, code, tc.want, ctLogs(c))
		}
	}
	// docker stop: SIGTERM reaches the child, which dies of it.
	c := ctRun(t, ctRunImage, "sleep", "1000")
	start := time.Now()
	ctMust(t, "stop", c)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("docker stop took %s: SIGTERM not forwarded?", took)
	}
	if code := ctInspect(t, c, "{{.State.ExitCode}}"); code != "143" {
		t.Errorf("exit code after docker stop: %s, want 143", code)
	}
}

func TestContainerForwardsSignals(t *testing.T) {
	ctImages(t)
	c := ctRun(t, ctRunImage, "sh", "-c", `trap 'echo got USR1; exit 7' USR1; touch /tmp/ready; while :; do sleep 0.1; done`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := ctDocker("exec", c, "test", "-f", "/tmp/ready"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child never ready; log:\n%s", ctLogs(c))
		}
		time.Sleep(100 * time.Millisecond)
	}
	ctMust(t, "kill", "-s", "USR1", c)
	if code := ctWaitExit(t, c, 10*time.Second); code != 7 {
		t.Errorf("exit code %d, want 7; log:\n%s", code, ctLogs(c))
	}
	if !strings.Contains(ctLogs(c), "got USR1") {
		t.Errorf("child output missing from the log:\n%s", ctLogs(c))
	}
}

func TestContainerReapsZombies(t *testing.T) {
	ctImages(t)
	// Each (sleep &) leaves an orphan that PID 1 adopts; once they end,
	// only PID 1 can reap them.
	c := ctRun(t, ctRunImage, "sh", "-c", `for i in 1 2 3 4 5 6 7 8; do (sleep 0.2 &); done; sleep 1000`)
	time.Sleep(2 * time.Second)
	out := ctMust(t, "exec", c, "ps", "-eo", "pid,ppid,stat,comm")
	if strings.Contains(out, "<defunct>") || ctCountZombies(out) > 0 {
		t.Errorf("zombies in the container:\n%s", out)
	}
	if !strings.Contains(out, "sleep") {
		t.Errorf("main child gone:\n%s", out)
	}
}

func ctCountZombies(ps string) int {
	n := 0
	for _, l := range strings.Split(ps, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) >= 3 && strings.HasPrefix(f[2], "Z") {
			n++
		}
	}
	return n
}

func TestContainerRefusesSetuid(t *testing.T) {
	ctImages(t)
	for _, user := range []string{"", "1000:1000"} {
		args := []string{}
		if user != "" {
			args = append(args, "--user", user)
		}
		c := ctRun(t, append(args, ctSuidImage, "true")...)
		code := ctWaitExit(t, c, 20*time.Second)
		if logs := ctLogs(c); code != 1 || !strings.Contains(logs, "setuid") {
			t.Errorf("user %q: exit %d, log:\n%s", user, code, logs)
		}
	}
}

// TestContainerImagesShape checks what the host side relies on: no VOLUME,
// the entrypoints, a health check, the exposed ports.
func TestContainerImagesShape(t *testing.T) {
	ctImages(t)
	for _, tc := range []struct{ image, role, port string }{
		{ctWebImage, "web", "80/tcp"},
		{ctDBImage, "db", "3306/tcp"},
	} {
		var cfg struct {
			Entrypoint   []string
			Volumes      map[string]any
			ExposedPorts map[string]any
			Healthcheck  struct{ Test []string }
		}
		if err := json.Unmarshal([]byte(ctMust(t, "image", "inspect", "-f", "{{json .Config}}", tc.image)), &cfg); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cfg.Entrypoint, " "); got != "/usr/local/bin/wpstack-init "+tc.role {
			t.Errorf("%s entrypoint %q", tc.image, got)
		}
		if len(cfg.Volumes) != 0 {
			t.Errorf("%s declares volumes %v", tc.image, cfg.Volumes)
		}
		if _, ok := cfg.ExposedPorts[tc.port]; !ok {
			t.Errorf("%s does not expose %s", tc.image, tc.port)
		}
		if got := fmt.Sprint(cfg.Healthcheck.Test); !strings.Contains(got, "health "+tc.role) {
			t.Errorf("%s health check %s", tc.image, got)
		}
	}
}
