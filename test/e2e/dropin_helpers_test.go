//go:build e2e

package e2e

// Helpers for the drop-in image tests (dropin_test.go): the images come
// from `wpstack images build` and are run by ID, so that another build on
// the same engine cannot swap them mid-test (the compose files use the
// wpstack/* tags, as a user would). Containers, volumes, networks and
// compose projects are named wpt-h-*.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type diPublic struct {
	Repository string   `json:"repository"`
	Version    string   `json:"version"`
	Tags       []string `json:"tags"`
	ID         string   `json:"id"`
}

var (
	// diWeb and diDB are the IDs of the images `images build` made.
	diWeb, diDB string

	diOnce   sync.Once
	diErr    error
	diBuilt  []diPublic
	diOutput string
)

// diImages runs `wpstack images build` once per test binary and records
// the IDs of its images in diWeb and diDB.
func diImages(t *testing.T) []diPublic {
	t.Helper()
	diOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		home, err := os.MkdirTemp("", "wpt-h-home")
		if err != nil {
			diErr = err
			return
		}
		defer os.RemoveAll(home)
		cmd := exec.CommandContext(ctx, wpstackBinary(t), "images", "build", "--wordpress-source", "debian", "--json", "--progress", "plain")
		cmd.Env = append(os.Environ(), "WPSTACK_HOME="+home)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			diErr = fmt.Errorf("wpstack images build: %v\n%s%s", err, out.String(), errb.String())
			return
		}
		diOutput = fmt.Sprintf("images build took %s", time.Since(start).Round(100*time.Millisecond))
		var res struct {
			Images []diPublic `json:"images"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			diErr = fmt.Errorf("wpstack images build --json: %v\n%s", err, out.String())
			return
		}
		diBuilt = res.Images
		for _, p := range res.Images {
			switch p.Repository {
			case "wpstack/wordpress":
				diWeb = p.ID
			case "wpstack/mariadb":
				diDB = p.ID
			}
		}
		if diWeb == "" || diDB == "" {
			diErr = fmt.Errorf("images build did not report both images: %s", out.String())
		}
	})
	if diErr != nil {
		t.Fatal(diErr)
	}
	return diBuilt
}

// diName returns a fresh wpt-h-* name; what is created with it is removed
// when the test ends.
func diName(t *testing.T, kind string) string {
	t.Helper()
	name := "wpt-h-" + kind + "-" + ctRandom()
	t.Cleanup(func() {
		switch kind {
		case "vol":
			ctDocker("volume", "rm", "-f", name)
		case "net":
			ctDocker("network", "rm", name)
		default:
			if t.Failed() {
				t.Logf("log of %s:\n%s", name, ctLogs(name))
			}
			ctDocker("rm", "-f", "-v", name)
		}
	})
	return name
}

// diRun starts a detached container and returns its name.
func diRun(t *testing.T, args ...string) string {
	t.Helper()
	name := diName(t, "c")
	ctMust(t, append([]string{"run", "-d", "--name", name, "--label", "io.wpstack.test=wpt-h"}, args...)...)
	return name
}

// diSQL runs a query as user over TCP inside the container and returns the
// tab-separated answer.
func diSQL(t *testing.T, container, user, password, query string) string {
	t.Helper()
	args := []string{"exec", container, "mariadb", "--no-defaults", "-h127.0.0.1", "-u" + user}
	if password != "" {
		args = append(args, "-p"+password)
	}
	return ctMust(t, append(args, "--batch", "--skip-column-names", "-e", query)...)
}

// diWrite writes a file for a bind mount, readable by the container users.
func diWrite(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// diCount counts the occurrences of s in the container's log.
func diCount(name, s string) int { return strings.Count(ctLogs(name), s) }

// diWaitHTTP polls url until ok says yes, and returns the last answer.
func diWaitHTTP(t *testing.T, url string, d time.Duration, ok func(code int, location, body string) bool) (int, string, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(d)
	var code int
	var loc, body, last string
	for {
		resp, err := c.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			code, loc, body = resp.StatusCode, resp.Header.Get("Location"), string(b)
			if ok(code, loc, body) {
				return code, loc, body
			}
			last = fmt.Sprintf("%d %s %.300s", code, loc, body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: not as expected after %s; last answer: %s", url, d, last)
		}
		time.Sleep(time.Second)
	}
}

// compose is one docker-compose project made from a testdata file.
type compose struct {
	t       *testing.T
	dir     string
	project string
	port    int
}

// newCompose copies testdata/compose/<file> into a temporary folder as
// docker-compose.yml, publishing on a free port instead of 8080, and
// registers `docker-compose down -v` (and the host folders' removal) for
// the end of the test.
func newCompose(t *testing.T, file string) *compose {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "compose", file))
	if err != nil {
		t.Fatal(err)
	}
	c := &compose{t: t, dir: t.TempDir(), project: "wpt-h-" + strings.TrimSuffix(file, ".yml") + "-" + ctRandom(), port: freePort(t)}
	text := strings.Replace(string(src), "- 8080:80", fmt.Sprintf("- %d:80", c.port), 1)
	if text == string(src) {
		t.Fatalf("%s publishes no 8080:80", file)
	}
	diWrite(t, filepath.Join(c.dir, "docker-compose.yml"), text, 0o644)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := c.run("logs", "--no-color", "--tail=80")
			t.Logf("compose logs of %s:\n%s", c.project, out)
		}
		if out, err := c.run("down", "-v", "--remove-orphans"); err != nil {
			t.Errorf("docker-compose down -v: %v\n%s", err, out)
		}
	})
	return c
}

func (c *compose) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", c.project}, args...)...)
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (c *compose) must(args ...string) string {
	c.t.Helper()
	start := time.Now()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	c.t.Logf("docker-compose %s took %s", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
	return out
}

// container is the name compose 1.29 gives a service's first container.
func (c *compose) container(service string) string {
	return c.project + "_" + service + "_1"
}

func (c *compose) url(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", c.port, path)
}

// waitWizard waits until / redirects to WordPress's installer and the
// installer answers with its own page, as a new site of the official image
// does.
func (c *compose) waitWizard() {
	c.t.Helper()
	start := time.Now()
	diWaitHTTP(c.t, c.url("/"), 3*time.Minute, func(code int, loc, _ string) bool {
		return code == http.StatusFound && strings.Contains(loc, "/wp-admin/install.php")
	})
	diWaitHTTP(c.t, c.url("/wp-admin/install.php"), 30*time.Second, func(code int, _, body string) bool {
		return code == http.StatusOK && strings.Contains(body, "<title>WordPress &rsaquo; Installation</title>")
	})
	c.t.Logf("install wizard answered %s after up", time.Since(start).Round(100*time.Millisecond))
}

// diUID is the owner of a file.
func diUID(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// diNoSecret fails when a secret value shows in docker inspect.
func diNoSecret(t *testing.T, name string, secrets ...string) {
	t.Helper()
	out := ctMust(t, "inspect", name)
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("docker inspect %s shows a secret value", name)
		}
	}
}
