//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// swarmUpgrade moves a bookworm swarm site to trixie: a forced failure
// after the new stack started rolls it back (old versions, its post and
// upload there, the original password logs in), then the real upgrade
// keeps them on WordPress 6.8, PHP 8.4 and MariaDB 11.8. A site of its
// own, destroyed at the end.
func swarmUpgrade(t *testing.T, e *env, cl *cluster) {
	name := siteName("e2e5-su")
	port := 8095
	t.Cleanup(func() { e.run("destroy", name, "--yes") })
	if err := os.MkdirAll(filepath.Join(cl.shared, name), 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.mustRun("up", name, "--target", "swarm", "--registry", cl.registry, "--port", fmt.Sprint(port),
		"--shared-storage", "/mnt/shared/"+name, "--stack", "bookworm", "--title", "Swarm Upgrade", "--wordpress-source", "debian")
	t.Logf("MEASURE swarm up --stack bookworm (build, push, deploy, install): %s", r.took.Round(100*time.Millisecond))
	if !strings.Contains(r.stdout, "upgrade available: wpstack upgrade "+name+" --to trixie") {
		t.Errorf("up of a bookworm swarm site does not offer the upgrade:\n%s", r.stdout)
	}
	st := e.stackStatus(name)
	wantStack(t, st, "bookworm", "6.1.", "8.2.", "10.11.")
	if st.UpgradeAvailable != "trixie" {
		t.Errorf("status of a bookworm swarm site offers %q, want trixie", st.UpgradeAvailable)
	}

	edge := newEdgeClient(cl.nodes[0].ip, port)
	pw := readFile(t, filepath.Join(e.home, "sites", name, "secrets", "admin_password"))
	post := "Written on the swarm before the upgrade"
	edgePost(t, edge, "admin", pw, post)
	upload, _ := uploadPNG(t, edge, "admin", pw)
	upload = upload[strings.Index(upload, "/wp-content/"):]
	check := func(t *testing.T) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			status, body, _, err := edge.do(context.Background(), http.MethodGet, "/", nil, "")
			if err == nil && status == 200 && strings.Contains(string(body), post) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the home page (%d, %v) lacks the post %q", status, err, post)
			}
			time.Sleep(time.Second)
		}
		if status, body, _, err := edge.do(context.Background(), http.MethodGet, upload, nil, ""); err != nil || status != 200 || !bytes.Equal(body, tinyPNG(t)) {
			t.Errorf("upload %s: %d %v", upload, status, err)
		}
		edgeLogin(t, cl.nodes[0].ip, port, "admin", pw)
	}
	check(t)

	t.Run("a failed upgrade rolls back", func(t *testing.T) {
		f := *e.with(t)
		f.extra = append(append([]string(nil), e.extra...), "WPSTACK_TEST_UPGRADE_FAIL=deploy")
		r := f.mustFail([]string{"failed at the health checks", "rolled back", "bookworm", "pre-upgrade"}, "upgrade", name)
		t.Logf("MEASURE swarm upgrade forced to fail, with its rollback: %s", r.took.Round(100*time.Millisecond))
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.Contains(l, "rolled back in") {
				t.Logf("MEASURE swarm rollback: %s", strings.TrimSpace(l))
			}
		}
		wantStack(t, e.stackStatus(name), "bookworm", "6.1.", "8.2.", "10.11.")
		check(t)
	})

	t.Run("upgrade to trixie keeps the site", func(t *testing.T) {
		e := e.with(t)
		r := e.mustRun("upgrade", name, "--to", "trixie")
		t.Logf("MEASURE swarm upgrade bookworm to trixie: %s", r.took.Round(100*time.Millisecond))
		for _, want := range []string{"upgraded from bookworm to trixie", "MariaDB:        10.11.", "-> 11.8.", "Safety backup:"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("upgrade output lacks %q:\n%s", want, r.stdout)
			}
		}
		st := e.stackStatus(name)
		wantStack(t, st, "trixie", "6.8.", "8.4.", "11.8.")
		if st.UpgradeAvailable != "" {
			t.Errorf("the upgraded site is still offered %s", st.UpgradeAvailable)
		}
		check(t)
		e.mustFail([]string{"already runs the trixie stack"}, "upgrade", name)
	})
	e.mustRun("destroy", name, "--yes")
}

// edgePost publishes a post over XML-RPC through the edge.
func edgePost(t *testing.T, edge *edgeClient, user, password, title string) {
	t.Helper()
	status, body, _, err := edge.do(context.Background(), http.MethodPost, "/xmlrpc.php", strings.NewReader(newPostCall(user, password, title)), "text/xml")
	if err != nil || status != 200 || bytes.Contains(body, []byte("faultCode")) {
		t.Fatalf("wp.newPost through the edge: %d %v: %.400s", status, err, body)
	}
}

// edgeLogin signs in through wp-login.php on a node's edge and checks that
// the Dashboard answers.
func edgeLogin(t *testing.T, ip string, port int, user, password string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	base := fmt.Sprintf("http://%s:%d", ip, port)
	u, _ := url.Parse(base + "/")
	jar.SetCookies(u, []*http.Cookie{{Name: "wordpress_test_cookie", Value: "WP%20Cookie%20check", Path: "/"}})
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = fmt.Sprintf("localhost:%d", port)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	// WordPress sets its test cookie on the login page, as for a browser.
	status, body := do("GET", "/wp-login.php", nil)
	if status != 200 {
		t.Errorf("GET /wp-login.php through the edge: %d", status)
		return
	}
	status, body = do("POST", "/wp-login.php", url.Values{"log": {user}, "pwd": {password}, "wp-submit": {"Log In"},
		"redirect_to": {"/wp-admin/"}, "testcookie": {"1"}})
	if status != http.StatusFound {
		if i := strings.Index(body, `id="login_error"`); i >= 0 {
			body = body[i:]
		}
		t.Errorf("login as %s through the edge: status %d, want a redirect (cookies sent: %v); page says: %.400s", user, status, jar.Cookies(u), body)
		return
	}
	if status, body := do("GET", "/wp-admin/", nil); status != 200 || !strings.Contains(body, "Dashboard") {
		t.Errorf("after login through the edge, /wp-admin/ answered %d without the Dashboard", status)
	}
}
