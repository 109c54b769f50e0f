//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// swarmBackupRestore backs a swarm site up on demand, restores that archive
// into a new local site, and restores a local backup into the swarm site:
// the archive is one format, whichever target made it. uploaded is a file
// the swarm site serves (a path under /wp-content/), or "".
func swarmBackupRestore(t *testing.T, e *env, cl *cluster, name string, edge *edgeClient, uploaded string) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "swarm.wpbackup")
	r := e.mustRun("backup", name, "-o", archive)
	t.Logf("MEASURE swarm on-demand backup: %s", r.took.Round(100*time.Millisecond))
	if v := e.mustRun("backup", "verify", archive).stdout; !strings.Contains(v, "every checksum matches") || !strings.Contains(v, "WordPress 6.") {
		t.Fatalf("verify of an on-demand swarm backup:\n%s", v)
	}
	if out := cl.node(0, "service", "ls", "-q", "--filter", "name="+name+"_wpstack-job"); out != "" {
		t.Errorf("the backup left its data job: %s", out)
	}

	// Into a new local site, on this machine's engine.
	local := newEnv(t)
	copyName := siteName("e2e5-lc")
	local.cleanupSite(copyName)
	port := freePort(t)
	local.mustRun("restore", copyName, archive, "--port", fmt.Sprint(port))
	w := newWP(t, port)
	if resp, body := w.get("/"); resp.StatusCode != 200 || !strings.Contains(body, name) {
		t.Fatalf("the local copy of the swarm site answers %s without its title", resp.Status)
	}
	if uploaded != "" {
		resp, body := w.get(uploaded)
		if resp.StatusCode != 200 || !bytes.Equal([]byte(body), tinyPNG(t)) {
			t.Errorf("the local copy does not serve the swarm site's upload %s: %s", uploaded, resp.Status)
		}
	}

	// A local backup into the swarm site: a post made only on the copy
	// appears on the swarm site, and a safety backup came first.
	pw := readFile(t, filepath.Join(local.home, "sites", copyName, "secrets", "admin_password"))
	title := "Made on the local copy " + copyName
	w.newPost("admin", pw, title)
	back := filepath.Join(dir, "local.wpbackup")
	local.mustRun("backup", copyName, "-o", back)
	r = e.mustRun("restore", name, back)
	t.Logf("MEASURE restore into the swarm site: %s", r.took.Round(100*time.Millisecond))
	if !strings.Contains(r.stdout+r.stderr, "before-restore") {
		t.Errorf("restore into the swarm site names no safety backup:\n%s", r)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body, _, err := edge.do(context.Background(), http.MethodGet, "/", nil, "")
		if err == nil && status == 200 && strings.Contains(string(body), title) {
			if strings.Contains(string(body), fmt.Sprintf("localhost:%d", port)) {
				t.Errorf("the swarm site's page still links to the local copy's URL (not rewritten)")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restore the swarm home page (%d, %v) lacks the post %q", status, err, title)
		}
		time.Sleep(time.Second)
	}
	if uploaded != "" {
		status, body, _, err := edge.do(context.Background(), http.MethodGet, uploaded, nil, "")
		if err != nil || status != 200 || !bytes.Equal(body, tinyPNG(t)) {
			t.Errorf("after the restore the swarm site's upload %s answers %d %v", uploaded, status, err)
		}
	}
}
