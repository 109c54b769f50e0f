//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
)

// TestExportRoundTrip: a site with a post is exported in the three formats
// while it runs; then, with wpstack's containers down, docker-compose runs
// the compose export and then rebuilds and runs the dir export with no
// wpstack on PATH; both serve the post from the site's own volumes. The
// stack export is checked by `docker stack config` (deploying stacks is
// the swarm suite's job).
func TestExportRoundTrip(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e4")
	port := freePort(t)
	e.cleanupSite(name)
	out := t.TempDir()

	e.mustRun("up", name, "--port", fmt.Sprint(port), "--title", "Export Blog")
	st := e.status(name)
	password := readFile(t, st.AdminPasswordFile)
	title := "Exported " + name
	id := newWP(t, port).newPost(st.AdminUser, password, title)

	composeFile := filepath.Join(out, "compose.yaml")
	stackFile := filepath.Join(out, "stack.yaml")
	eject := filepath.Join(out, "eject")
	r := e.mustRun("export", name, "--format", "compose", "-o", composeFile)
	if !strings.Contains(r.stdout, "-p "+name) {
		t.Errorf("export does not say how to run the file:\n%s", r.stdout)
	}
	e.mustRun("export", name, "--format", "stack", "-o", stackFile)
	e.mustRun("export", name, "--format", "dir", "-o", eject)
	e.mustFail([]string{"not empty", "new folder"}, "export", name, "--format", "dir", "-o", eject)
	if r := e.run("export", name, "--format", "helm", "-o", composeFile); r.code != 2 || !strings.Contains(r.stderr, "--format compose") {
		t.Errorf("unknown format: want exit 2 naming the formats, got %s", r)
	}

	compose := readFile(t, composeFile)
	for _, want := range []string{"docker-compose -f compose.yaml -p " + name + " up -d", "wpstack down " + name, "external: true", "condition: service_healthy", "restart: unless-stopped", "healthcheck:", filepath.Join(e.home, "sites", name, "secrets", "db_password")} {
		if !strings.Contains(compose, want) {
			t.Errorf("compose export lacks %q", want)
		}
	}
	secrets := secretValues(t, e.home, name)
	for _, f := range []string{composeFile, stackFile, filepath.Join(eject, "compose.yaml"), filepath.Join(eject, "README.md"), filepath.Join(eject, "wpstack-export.json")} {
		body := readFile(t, f)
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s contains a secret value", f)
			}
		}
	}
	if b, err := exec.Command("docker", "stack", "config", "-c", stackFile).CombinedOutput(); err != nil {
		t.Errorf("docker stack config refuses the stack export: %v\n%s", err, b)
	}
	sums := exec.Command("sha256sum", "--quiet", "-c", "SHA256SUMS")
	sums.Dir = eject
	if b, err := sums.CombinedOutput(); err != nil {
		t.Errorf("the dir export does not match its SHA256SUMS: %v\n%s", err, b)
	}

	e.mustRun("down", name)
	wantPost := func(how string) {
		t.Helper()
		waitPost(t, port, id, title, how)
	}

	// compose: the site's images and volumes, run by docker-compose.
	project := "wpt-d-" + randHex(3)
	composeRun(t, out, nil, "-f", composeFile, "-p", project, "up", "-d")
	wantPost("docker-compose up of the compose export")
	composeRun(t, out, nil, "-f", composeFile, "-p", project, "down")

	// dir: rebuilt from the folder by docker-compose alone.
	path := pathWithout(t, "wpstack")
	project = "wpt-d-" + randHex(3)
	t.Cleanup(func() {
		for _, svc := range []string{"web", "db"} {
			for _, ref := range builtImages(t, name, svc) {
				_, _ = e.cli.ImageRemove(context.Background(), ref, image.RemoveOptions{PruneChildren: true})
			}
		}
	})
	start := time.Now()
	composeRun(t, eject, []string{"PATH=" + path}, "-p", project, "up", "-d", "--build")
	t.Logf("dir export: docker-compose up --build took %s", time.Since(start).Round(time.Second))
	wantPost("docker-compose up --build of the dir export")
	composeRun(t, eject, []string{"PATH=" + path}, "-p", project, "down")
}

// composeRun runs docker-compose in dir and removes the project's
// containers at the end even when the test stops half-way (never its
// volumes: they are the site's).
func composeRun(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	run := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "docker-compose", args...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
		return cmd.CombinedOutput()
	}
	if !contains(args, "down") {
		down := append(upTo(args, "up"), "down")
		t.Cleanup(func() { _, _ = run(down...) })
	}
	start := time.Now()
	b, err := run(args...)
	t.Logf("docker-compose %s → %v in %s", strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	if bytes.Contains(b, []byte("not created by Docker Compose")) {
		t.Errorf("docker-compose warns about the site's volumes:\n%s", b)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// upTo returns args before the first word w (the global flags).
func upTo(args []string, w string) []string {
	for i, a := range args {
		if a == w {
			return append([]string(nil), args[:i]...)
		}
	}
	return append([]string(nil), args...)
}

// waitPost polls the site until post id answers with its title.
func waitPost(t *testing.T, port int, id, title, how string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	url := fmt.Sprintf("http://127.0.0.1:%d/?p=%s", port, id)
	deadline := time.Now().Add(4 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Host = fmt.Sprintf("localhost:%d", port)
		resp, err := c.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(b), title) {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("%s: post %s never served with its title (last: %s)", how, id, last)
}

// pathWithout is $PATH without the folders that hold prog, and checks
// that prog is then not found.
func pathWithout(t *testing.T, prog string) string {
	t.Helper()
	var keep []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, prog)); err == nil {
			continue
		}
		keep = append(keep, d)
	}
	p := strings.Join(keep, string(os.PathListSeparator))
	for _, d := range keep {
		if _, err := os.Stat(filepath.Join(d, prog)); err == nil {
			t.Fatalf("%s still on PATH %s", prog, p)
		}
	}
	return p
}

// builtImages lists the tags the dir export's compose file gave svc.
func builtImages(t *testing.T, site, svc string) []string {
	b, err := exec.Command("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", site+"/"+svc).Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestEdgeExport: a site with a domain is exported as compose and dir; the
// compose export carries the edge (nginx from the same recipe, the site's
// configuration, certificate and key as files beside its secrets, never in
// the file), and with wpstack's edge gone docker-compose runs it: the site
// answers on its domain over verified HTTPS, HTTP redirects to HTTPS.
func TestEdgeExport(t *testing.T) {
	e := newEnv(t)
	requireNoForeignEdge(t, e)
	cleanupEdge(t, e)
	httpPort, httpsPort := freePort(t), freePort(t)
	tag := ctRandom()[:6]
	name, domain, title := siteName("edgx"), "x-"+tag+".test", "Export Edge "+tag
	e.cleanupSite(name)
	e.mustRun("up", name, "--domain", domain, "--tls", "local", "--title", title, "--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort))
	_, roots := edgeRoots(t, e)
	out := t.TempDir()
	composeFile := filepath.Join(out, "compose.yaml")
	e.mustRun("export", name, "--format", "compose", "-o", composeFile)
	stdout := e.mustRun("export", name, "--format", "compose", "-o", "-").stdout
	e.mustFail([]string{"a stack's edge does not serve domains", "--format compose"}, "export", name, "--format", "stack", "-o", filepath.Join(out, "stack.yaml"))
	eject := filepath.Join(out, "eject")
	e.mustRun("export", name, "--format", "dir", "-o", eject)

	confDir := filepath.Join(e.home, "sites", name, "edge-export")
	key := readFile(t, filepath.Join(confDir, "certs", name+".key"))
	if fi, err := os.Stat(filepath.Join(confDir, "certs", name+".key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the exported key is not 0600: %v %v", fi, err)
	}
	compose := readFile(t, composeFile)
	for _, want := range []string{"edge-nginx", confDir, "/etc/wpstack-edge", fmt.Sprintf("published: \"%d\"", httpsPort), "wpstack-edge", "no key is in this file"} {
		if !strings.Contains(compose, want) {
			t.Errorf("the compose export lacks %q", want)
		}
	}
	for f, body := range map[string]string{"compose file": compose, "stdout": stdout, "dir compose.yaml": readFile(t, filepath.Join(eject, "compose.yaml")), "README.md": readFile(t, filepath.Join(eject, "README.md"))} {
		if strings.Contains(body, "PRIVATE KEY") || strings.Contains(body, strings.TrimSpace(key)) {
			t.Errorf("the %s holds the private key", f)
		}
	}
	if _, err := os.Stat(filepath.Join(eject, "edge-nginx", "Dockerfile")); err != nil {
		t.Errorf("the dir export has no edge build context: %v", err)
	}
	if readme := readFile(t, filepath.Join(eject, "README.md")); !strings.Contains(readme, "## The edge") || !strings.Contains(readme, confDir) {
		t.Error("the dir export's README does not say how the site is fronted")
	}

	// wpstack's edge goes with its last site; docker-compose runs the export.
	e.mustRun("down", name)
	if ok, _ := edgeState(t, e); ok {
		t.Fatal("the edge is still there after down of its only site")
	}
	project := "wpt-x-" + randHex(3)
	composeRun(t, out, nil, "-f", composeFile, "-p", project, "up", "-d")
	h := newEdgeHTTP(t, roots, httpPort, httpsPort, false)
	deadline := time.Now().Add(4 * time.Minute)
	var last string
	for {
		resp, body, err := h.try("GET", h.url("https", domain, "/"), nil, nil)
		if err == nil && resp.StatusCode == 200 && strings.Contains(titleOf(body), title) {
			if resp.Header.Get("X-Cache") == "" {
				t.Error("the exported edge sends no X-Cache")
			}
			break
		}
		if err != nil {
			last = err.Error()
		} else {
			last = resp.Status + " " + titleOf(body)
		}
		if time.Now().After(deadline) {
			out, _ := exec.Command("docker-compose", "-f", composeFile, "-p", project, "logs", "--tail", "30").CombinedOutput()
			t.Fatalf("the compose export never served %s over HTTPS (last: %s)\n%s", domain, last, out)
		}
		time.Sleep(time.Second)
	}
	resp, _ := h.must("GET", h.url("http", domain, "/a?b=1"), nil, nil)
	if want := fmt.Sprintf("https://%s:%d/a?b=1", domain, httpsPort); resp.StatusCode != 301 || resp.Header.Get("Location") != want {
		t.Errorf("HTTP on the exported edge: %s → %q, want 301 → %q", resp.Status, resp.Header.Get("Location"), want)
	}
	resp, _ = h.must("GET", h.url("http", "nobody-"+tag+".test", "/"), nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("an unknown name on the exported edge: %s, want 404", resp.Status)
	}
	composeRun(t, out, nil, "-f", composeFile, "-p", project, "down")

	// dir: the edge too is rebuilt from the folder, with no wpstack on PATH.
	t.Cleanup(func() {
		for _, svc := range []string{"web", "db", "edge-nginx"} {
			for _, ref := range builtImages(t, name, svc) {
				_, _ = e.cli.ImageRemove(context.Background(), ref, image.RemoveOptions{PruneChildren: true})
			}
		}
	})
	project = "wpt-x-" + randHex(3)
	composeRun(t, eject, []string{"PATH=" + pathWithout(t, "wpstack")}, "-p", project, "up", "-d", "--build")
	waitHTTPS(t, h, domain, title, "docker-compose up --build of the dir export")
	composeRun(t, eject, nil, "-p", project, "down")
}

// waitHTTPS polls https://domain/ through h until it answers with title.
func waitHTTPS(t *testing.T, h *edgeHTTP, domain, title, how string) {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		resp, body, err := h.try("GET", h.url("https", domain, "/"), nil, nil)
		if err == nil && resp.StatusCode == 200 && strings.Contains(titleOf(body), title) {
			return
		}
		if err != nil {
			last = err.Error()
		} else {
			last = resp.Status + " " + titleOf(body)
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("%s: https://%s/ never answered with %q (last: %s)", how, domain, title, last)
}
