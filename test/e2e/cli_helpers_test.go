//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// env is one isolated wpstack user: its own state directory, the shared
// cache (so WordPress sources are fetched once per machine).
type env struct {
	t    *testing.T
	home string
	bin  string
	cli  *client.Client
	// extra environment for every command, e.g. DOCKER_HOST overrides
	extra []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return &env{t: t, home: t.TempDir(), bin: wpstackBinary(t), cli: cli}
}

type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

func (e *env) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(os.Environ(), "WPSTACK_HOME="+e.home)
	cmd.Env = append(cmd.Env, e.extra...)
	return cmd
}

// run runs wpstack with a deadline and returns what it printed.
func (e *env) run(args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := e.command(ctx, append(args, "--progress", "plain")...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("run wpstack %v: %v", args, err)
	}
	e.t.Logf("wpstack %s → exit %d in %s", strings.Join(args, " "), r.code, r.took.Round(time.Millisecond))
	return r
}

// mustRun fails the test unless wpstack exits 0.
func (e *env) mustRun(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("wpstack %v failed: %s", args, r)
	}
	return r
}

// mustFail checks a bad-input case: non-zero exit and a message naming the
// problem and the fix.
func (e *env) mustFail(wantInErr []string, args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code == 0 {
		e.t.Fatalf("wpstack %v succeeded, want an error: %s", args, r)
	}
	for _, w := range wantInErr {
		if !strings.Contains(r.stderr, w) {
			e.t.Errorf("wpstack %v: error does not mention %q:\n%s", args, w, r.stderr)
		}
	}
	return r
}

// siteName is unique per test run, so runs and tests never share resources.
func siteName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// cleanupSite removes whatever a test site left, even if the test failed
// half-way, and dumps the containers' logs first when it failed.
func (e *env) cleanupSite(name string) {
	e.t.Cleanup(func() {
		if e.t.Failed() {
			r := e.run("logs", name, "--tail", "80")
			e.t.Logf("logs of %s:\n%s%s", name, r.stdout, r.stderr)
		}
		e.run("destroy", name, "--yes")
		e.removeLabelled(name)
	})
}

// removeLabelled removes every resource labelled with the site, as a last resort.
func (e *env) removeLabelled(name string) {
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", "io.wpstack.site="+name))
	cs, _ := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	for _, c := range cs {
		_ = e.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	}
	ns, _ := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	for _, n := range ns {
		_ = e.cli.NetworkRemove(ctx, n.ID)
	}
	vs, _ := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	for _, v := range vs.Volumes {
		_ = e.cli.VolumeRemove(ctx, v.Name, true)
	}
}

// labelled lists every container, network and volume carrying the site's label.
func (e *env) labelled(name string) []string {
	e.t.Helper()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", "io.wpstack.site="+name))
	var out []string
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cs {
		out = append(out, "container "+c.Names[0])
	}
	ns, _ := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	for _, n := range ns {
		out = append(out, "network "+n.Name)
	}
	vs, _ := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	for _, v := range vs.Volumes {
		out = append(out, "volume "+v.Name)
	}
	return out
}

type siteStatus struct {
	Name              string `json:"name"`
	Layout            string `json:"layout"`
	URL               string `json:"url"`
	State             string `json:"state"`
	AdminUser         string `json:"admin_user"`
	AdminPasswordFile string `json:"admin_password_file"`
	WordPressVersion  string `json:"wordpress_version"`
	Services          []struct {
		Name    string `json:"name"`
		Running int    `json:"running"`
		Desired int    `json:"desired"`
		Health  string `json:"health"`
	} `json:"services"`
}

func (e *env) status(name string) siteStatus {
	e.t.Helper()
	r := e.mustRun("status", name, "--json")
	var st siteStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		e.t.Fatalf("status --json is not one JSON object: %v\n%s", err, r.stdout)
	}
	return st
}

// wp talks HTTP to a site through 127.0.0.1 with the site's Host header,
// keeping cookies, never following redirects by itself.
type wp struct {
	t    *testing.T
	port int
	host string
	jar  http.CookieJar
	c    *http.Client
}

func newWP(t *testing.T, port int) *wp {
	jar, _ := cookiejar.New(nil)
	return &wp{t: t, port: port, host: fmt.Sprintf("localhost:%d", port), jar: jar, c: &http.Client{
		Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (w *wp) do(method, path string, form url.Values, body io.Reader, ctype string, header ...string) (*http.Response, string) {
	w.t.Helper()
	if form != nil {
		body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", w.port, path), body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Host = w.host
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (w *wp) get(path string) (*http.Response, string) { return w.do("GET", path, nil, nil, "") }

// login signs in through wp-login.php and checks that the Dashboard answers.
func (w *wp) login(user, password string) {
	w.t.Helper()
	// Set for both names: the client may key the jar by the Host header.
	for _, h := range []string{"127.0.0.1", "localhost"} {
		u, _ := url.Parse(fmt.Sprintf("http://%s:%d/", h, w.port))
		w.jar.SetCookies(u, []*http.Cookie{{Name: "wordpress_test_cookie", Value: "WP%20Cookie%20check", Path: "/"}})
	}
	resp, body := w.do("POST", "/wp-login.php", url.Values{"log": {user}, "pwd": {password}, "wp-submit": {"Log In"},
		"redirect_to": {"/wp-admin/"}, "testcookie": {"1"}}, nil, "")
	if resp.StatusCode != http.StatusFound {
		msg := body
		if i := strings.Index(body, `id="login_error"`); i >= 0 {
			msg = body[i:]
		}
		w.t.Fatalf("login as %s: status %s, want a redirect; page says: %.400s", user, resp.Status, msg)
	}
	resp, body = w.get("/wp-admin/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Dashboard") {
		w.t.Fatalf("after login, /wp-admin/ answered %s without the Dashboard", resp.Status)
	}
}

// newPostCall is the XML-RPC call publishing a post titled title.
func newPostCall(user, password, title string) string {
	return fmt.Sprintf(`<?xml version="1.0"?><methodCall><methodName>wp.newPost</methodName><params>
<param><value><int>1</int></value></param><param><value><string>%s</string></value></param>
<param><value><string>%s</string></value></param><param><value><struct>
<member><name>post_title</name><value><string>%s</string></value></member>
<member><name>post_content</name><value><string>Written by the end-to-end suite.</string></value></member>
<member><name>post_status</name><value><string>publish</string></value></member>
</struct></value></param></params></methodCall>`, user, password, title)
}

// newPost publishes a post through XML-RPC (real HTTP, WordPress's own API)
// and returns its ID.
func (w *wp) newPost(user, password, title string) string {
	w.t.Helper()
	resp, body := w.do("POST", "/xmlrpc.php", nil, strings.NewReader(newPostCall(user, password, title)), "text/xml")
	i, j := strings.Index(body, "<string>"), strings.Index(body, "</string>")
	if resp.StatusCode != 200 || i < 0 || j < i || strings.Contains(body, "faultCode") {
		w.t.Fatalf("wp.newPost: %s %s", resp.Status, body)
	}
	return body[i+len("<string>") : j]
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func secretValues(t *testing.T, home, name string) []string {
	t.Helper()
	dir := filepath.Join(home, "sites", name, "secrets")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, en := range entries {
		for _, line := range strings.Split(readFile(t, filepath.Join(dir, en.Name())), "\n") {
			if _, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(en.Name(), "wp_salts") {
				line = v
			}
			if len(line) >= 16 {
				vals = append(vals, line)
			}
		}
	}
	if len(vals) < 11 {
		t.Fatalf("expected at least 11 secret values in %s, found %d", dir, len(vals))
	}
	return vals
}

// with returns e bound to t, so a subtest's failures stop the subtest.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}
