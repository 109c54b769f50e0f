//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHardenSite drives a site as a hostile visitor and a careless user
// would: a client-sent X-Forwarded-Proto, the public health endpoint with
// the database down, and folders that are not the site's to take.
func TestHardenSite(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e-hd")
	port := freePort(t)
	e.cleanupSite(name)
	data := filepath.Join(t.TempDir(), "wp-"+name)
	e.mustRun("up", name, "--port", fmt.Sprint(port), "--data-dir", data)
	w := newWP(t, port)
	plain := fmt.Sprintf("http://localhost:%d/", port)
	secure := fmt.Sprintf("https://localhost:%d/", port)

	t.Run("a client's X-Forwarded-Proto is not trusted", func(t *testing.T) {
		w := newWP(t, port)
		resp, body := w.get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, plain+"wp-") {
			t.Fatalf("home page: %s, no %swp-... link in it", resp.Status, plain)
		}
		for _, h := range [][2]string{
			{"X-Forwarded-Proto", "https"},
			{"X-Forwarded-Proto", "HTTPS"},
			{"X-Forwarded-Proto", "https, http"},
		} {
			resp, body := hdGet(t, port, "/", h)
			if resp.StatusCode != 200 {
				t.Fatalf("home page with %s: %s: %s", h[0]+": "+h[1], resp.Status, h[1])
			}
			if n := strings.Count(body, secure); n > 0 || !strings.Contains(body, plain+"wp-") {
				t.Errorf("with %s: %s the page has %d https:// links to the site; want none", h[0], h[1], n)
			}
		}
		// A spoofed client address does not reach PHP either.
		resp, _ = hdGet(t, port, "/wp-login.php", [2]string{"X-Forwarded-For", "203.0.113.9"})
		if resp.StatusCode != 200 {
			t.Fatalf("wp-login.php: %s", resp.Status)
		}
		if logs := ctLogs(name + "-web-1"); strings.Contains(logs, "203.0.113.9") {
			t.Errorf("the access log took a client's X-Forwarded-For for its address:\n%s", tail(logs, 10))
		}
	})

	t.Run("health says only ok or not ok", func(t *testing.T) {
		w := newWP(t, port)
		resp, body := w.get("/.wpstack/health")
		if resp.StatusCode != 200 || body != "ok\n" {
			t.Fatalf("health with the database up: %s %q, want 200 \"ok\\n\"", resp.Status, body)
		}
		ctMust(t, "stop", "-t", "10", name+"-db-1")
		defer func() {
			// The database back: health says ok again.
			ctMust(t, "start", name+"-db-1")
			waitFor(t, 90*time.Second, func() bool {
				resp, body := w.get("/.wpstack/health")
				return resp.StatusCode == 200 && body == "ok\n"
			}, "health is not ok again after the database came back")
		}()
		deadline := time.Now().Add(60 * time.Second)
		for resp.StatusCode == 200 && time.Now().Before(deadline) {
			time.Sleep(500 * time.Millisecond)
			resp, body = w.get("/.wpstack/health")
		}
		if resp.StatusCode != 503 || body != "not ok\n" {
			t.Fatalf("health with the database down: %s %q, want 503 \"not ok\\n\"", resp.Status, body)
		}
		for _, leak := range []string{"database", "connect", "mysql", "getaddrinfo", "denied", "db:3306", "wordpress"} {
			if strings.Contains(strings.ToLower(body), leak) {
				t.Errorf("the public health body tells %q: %q", leak, body)
			}
		}
		// The reason is in the container's own log.
		waitFor(t, 15*time.Second, func() bool { return strings.Contains(ctLogs(name+"-web-1"), "wpstack health: database connect") },
			"web log does not say why the health check failed")
	})

	t.Run("system folders and other sites' folders are refused", func(t *testing.T) {
		e := e.with(t)
		alias := filepath.Join(t.TempDir(), "root-alias")
		if err := os.Symlink("/", alias); err != nil {
			t.Fatal(err)
		}
		_, err := os.Stat(filepath.Join("/srv", "data_wordpress"))
		srvHad := err == nil
		other := siteName("e2e-hd2")
		e.cleanupSite(other)
		for _, c := range []struct {
			dir  string
			want []string
		}{
			{"/srv", []string{"--data-dir /srv", "system folder", "a folder of its own"}},
			{"/", []string{"--data-dir /", "system folder"}},
			{"/etc/wp", []string{"--data-dir /etc/wp", "inside the system folder /etc"}},
			{alias, []string{"--data-dir " + alias + " (/)", "system folder"}},
			{data, []string{"--data-dir " + data, fmt.Sprintf("holds site %q's data", name), "a folder of its own"}},
			{filepath.Join(data, "data_wordpress"), []string{fmt.Sprintf("site %q", name)}},
			{filepath.Dir(data), []string{fmt.Sprintf("site %q", name)}},
		} {
			start := time.Now()
			e.mustFail(c.want, "up", other, "--port", fmt.Sprint(freePort(t)), "--data-dir", c.dir)
			t.Logf("MEASURE --data-dir %s refused in %s", c.dir, time.Since(start).Round(time.Millisecond))
			if made := e.labelled(other); len(made) > 0 {
				t.Fatalf("a refused up made %v", made)
			}
			if _, err := os.Stat(filepath.Join(e.home, "sites", other)); !os.IsNotExist(err) {
				t.Fatalf("a refused up left state for %s: %v", other, err)
			}
		}
		if _, err := os.Stat(filepath.Join("/srv", "data_wordpress")); err == nil && !srvHad {
			t.Errorf("/srv/data_wordpress exists after a refused up")
		}
		// The first site is untouched.
		if resp, _ := w.get("/"); resp.StatusCode != 200 {
			t.Errorf("site %s after the refused ups: %s", name, resp.Status)
		}
	})
}

// hdGet sends one GET with a header set, as a client may.
func hdGet(t *testing.T, port int, path string, h [2]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = fmt.Sprintf("localhost:%d", port)
	req.Header.Set(h[0], h[1])
	c := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func waitFor(t *testing.T, d time.Duration, ok func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Error(msg)
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
}

var lineRE = regexp.MustCompile(`\r?\n`)

func tail(s string, n int) string {
	lines := lineRE.Split(strings.TrimSpace(s), -1)
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestHardenTrustedProxy runs the web image with WPSTACK_TRUSTED_PROXIES:
// from a trusted peer X-Forwarded-Proto and X-Forwarded-For count, from
// another they do not reach PHP, and a bad range stops the start.
func TestHardenTrustedProxy(t *testing.T) {
	ctImages(t)
	// wp-config.php runs this at its end, before WordPress needs the database.
	probe := `if (isset($_GET['wpt-p'])) { echo 'proto=', $_SERVER['HTTP_X_FORWARDED_PROTO'] ?? '-', ' https=', $_SERVER['HTTPS'] ?? '-', ' remote=', $_SERVER['REMOTE_ADDR'], "\n"; exit; }`
	start := func(trusted string) (string, int) {
		t.Helper()
		port := freePort(t)
		name := ctRun(t, "-e", "WPSTACK_DB_WAIT=0", "-e", "WPSTACK_TRUSTED_PROXIES="+trusted, "-e", "WORDPRESS_CONFIG_EXTRA="+probe,
			"-p", fmt.Sprintf("127.0.0.1:%d:80", port), ctWebImage)
		ctWaitLog(t, name, "resuming normal operations", time.Minute)
		return name, port
	}
	get := func(port int) string {
		t.Helper()
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/?wpt-p", port), nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(b))
	}
	// The test reaches the container from the engine's bridge gateway: a
	// private address.
	_, port := start("10.0.0.0/8, 172.16.0.0/12 192.168.0.0/16")
	if got := get(port); got != "proto=https https=on remote=203.0.113.9" {
		t.Errorf("from a trusted proxy: %q, want the forwarded proto and client", got)
	}
	_, port = start("198.51.100.7/32")
	if got := get(port); !strings.HasPrefix(got, "proto=- https=- remote=") || strings.Contains(got, "203.0.113.9") {
		t.Errorf("from a peer outside the trusted range: %q, want no forwarded header", got)
	}
	name := ctRun(t, "-e", "WPSTACK_DB_WAIT=0", "-e", "WPSTACK_TRUSTED_PROXIES=10.0.0.0/8,edge", ctWebImage)
	if code := ctWaitExit(t, name, time.Minute); code == 0 || !strings.Contains(ctLogs(name), `WPSTACK_TRUSTED_PROXIES: "edge" is not an IP address`) {
		t.Errorf("a bad range: exit %d, log:\n%s", code, ctLogs(name))
	}
}
