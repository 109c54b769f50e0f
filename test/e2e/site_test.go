//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
)

// TestSiteLifecycle is the spine: up → serves with its title → log in with the
// saved password → nothing runs as root → no secret in any Env → db not
// published → a post survives down/up → destroy leaves nothing.
func TestSiteLifecycle(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e")
	port := freePort(t)
	e.cleanupSite(name)

	r := e.mustRun("up", name, "--port", fmt.Sprint(port), "--title", "E2E Blog", "--admin-user", "boss", "--admin-email", "boss@example.com")
	url := fmt.Sprintf("http://localhost:%d/", port)
	for _, want := range []string{url, "boss", filepath.Join(e.home, "sites", name, "secrets", "admin_password")} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("up output lacks %q:\n%s", want, r.stdout)
		}
	}

	w := newWP(t, port)
	resp, body := w.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "<title>E2E Blog") {
		t.Fatalf("home page: %s, title missing", resp.Status)
	}
	if !strings.Contains(body, url) {
		t.Errorf("home page links do not use the printed URL %s", url)
	}

	st := e.status(name)
	if st.Name != name || st.Layout != "split" || st.URL != url || st.State != "running" || st.AdminUser != "boss" || st.WordPressVersion == "" || len(st.Services) != 2 {
		t.Errorf("status --json = %+v", st)
	}
	for _, s := range st.Services {
		if s.Running != 1 || s.Desired != 1 || s.Health == "" {
			t.Errorf("service %+v not running 1/1 with a health", s)
		}
	}
	password := readFile(t, st.AdminPasswordFile)
	if fi, err := os.Stat(st.AdminPasswordFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin password file mode: %v %v", fi.Mode().Perm(), err)
	}
	w.login("boss", password)

	ctx := context.Background()
	secrets := secretValues(t, e.home, name)
	for _, svc := range []string{"web", "db"} {
		cname := name + "-" + svc + "-1"
		top, err := e.cli.ContainerTop(ctx, cname, []string{"-eo", "uid,pid,comm"})
		if err != nil {
			t.Fatal(err)
		}
		if len(top.Processes) == 0 {
			t.Errorf("%s: docker top shows no process", cname)
		}
		for _, p := range top.Processes {
			if p[0] == "0" {
				t.Errorf("%s runs %q as uid 0", cname, p[2])
			}
		}
		ins, err := e.cli.ContainerInspect(ctx, cname)
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range ins.Config.Env {
			for _, s := range secrets {
				if strings.Contains(kv, s) {
					t.Errorf("%s: a secret value is in its environment (%s)", cname, strings.SplitN(kv, "=", 2)[0])
				}
			}
		}
		if svc == "db" {
			if len(ins.HostConfig.PortBindings) != 0 {
				t.Errorf("db publishes ports: %v", ins.HostConfig.PortBindings)
			}
			for p, b := range ins.NetworkSettings.Ports {
				if len(b) != 0 {
					t.Errorf("db port %s is bound on the host: %v", p, b)
				}
			}
		}
	}

	postTitle := "Kept across down and up " + name
	id := w.newPost("boss", password, postTitle)

	// up twice = up once: nothing re-created.
	before, _ := e.cli.ContainerInspect(ctx, name+"-web-1")
	r = e.mustRun("up", name)
	after, _ := e.cli.ContainerInspect(ctx, name+"-web-1")
	if before.ID != after.ID {
		t.Error("a second up re-created the web container")
	}
	t.Logf("warm up of a running site: %s", r.took)

	e.mustRun("down", name)
	// The database, the WordPress files and the mailbox stay.
	want := []string{"volume " + name + "_db", "volume " + name + "_html", "volume " + name + "_mail"}
	if got := e.labelled(name); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("after down, want only the volumes %v, have %v", want, got)
	}
	st = e.status(name)
	if st.State != "down" {
		t.Errorf("state after down = %q", st.State)
	}
	r = e.mustRun("up", name)
	t.Logf("up after down: %s", r.took)
	if readFile(t, st.AdminPasswordFile) != password {
		t.Error("the admin password changed across down/up")
	}
	w = newWP(t, port)
	resp, body = w.get("/?p=" + id)
	if resp.StatusCode != 200 || !strings.Contains(body, postTitle) {
		t.Errorf("post %s lost across down/up: %s", id, resp.Status)
	}
	w.login("boss", password)

	e.mustFail([]string{"--yes"}, "destroy", name)
	if len(e.labelled(name)) == 0 {
		t.Fatal("destroy without --yes removed something")
	}
	e.mustRun("destroy", name, "--yes")
	if left := e.labelled(name); len(left) != 0 {
		t.Errorf("destroy left %v", left)
	}
	if _, err := os.Stat(filepath.Join(e.home, "sites", name)); !os.IsNotExist(err) {
		t.Errorf("destroy left the site's state: %v", err)
	}
}

// TestBadInput: each case names the problem and the fix, exits non-zero and
// creates nothing.
func TestBadInput(t *testing.T) {
	e := newEnv(t)

	t.Run("invalid name", func(t *testing.T) {
		e.t = t
		e.mustFail([]string{"invalid site name", "lowercase"}, "up", "My_Blog")
	})
	t.Run("unknown site", func(t *testing.T) {
		e.t = t
		e.mustFail([]string{"does not exist", "wpstack up nosuch"}, "status", "nosuch")
		e.mustFail([]string{"does not exist"}, "down", "nosuch")
		e.mustFail([]string{"does not exist"}, "logs", "nosuch")
		e.mustFail([]string{"does not exist"}, "destroy", "nosuch", "--yes")
	})
	t.Run("destroy without yes", func(t *testing.T) {
		e.t = t
		e.mustFail([]string{"--yes"}, "destroy", "nosuch")
	})
	t.Run("port held by a program", func(t *testing.T) {
		e.t = t
		l, err := net.Listen("tcp", ":0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		name := siteName("e2e-port")
		e.cleanupSite(name)
		e.mustFail([]string{fmt.Sprintf("port %d is already in use", port), "--port"}, "up", name, "--port", fmt.Sprint(port))
		if left := e.labelled(name); len(left) != 0 {
			t.Errorf("a refused up left %v", left)
		}
		if _, err := os.Stat(filepath.Join(e.home, "sites", name)); !os.IsNotExist(err) {
			t.Errorf("a refused up left state behind")
		}
	})
	t.Run("engine unreachable", func(t *testing.T) {
		e.t = t
		saved := e.extra
		e.extra = []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}
		defer func() { e.extra = saved }()
		e.mustFail([]string{"docker engine unreachable", "setup.sh", "DOCKER_HOST"}, "up", siteName("e2e-noengine"))
		e.mustFail([]string{"docker engine unreachable"}, "status")
	})
	t.Run("unknown wordpress source", func(t *testing.T) {
		e.t = t
		name := siteName("e2e-src")
		e.cleanupSite(name)
		r := e.mustFail([]string{"--wordpress-source"}, "up", name, "--port", fmt.Sprint(freePort(t)), "--wordpress-source", "/no/such/wordpress.zip")
		if len(e.labelled(name)) != 0 {
			t.Errorf("a refused up left resources: %s", r)
		}
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		e.t = t
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, ".tar.gz"):
				_, _ = w.Write([]byte("not really an archive"))
			case strings.HasSuffix(r.URL.Path, ".sha1"):
				_, _ = w.Write([]byte("0000000000000000000000000000000000000000\n"))
			default:
				http.NotFound(w, r)
			}
		}))
		defer srv.Close()
		name := siteName("e2e-sum")
		e.cleanupSite(name)
		e.mustFail([]string{"checksum"}, "up", name, "--port", fmt.Sprint(freePort(t)), "--wordpress-source", srv.URL+"/wordpress-6.4.tar.gz")
		if len(e.labelled(name)) != 0 {
			t.Error("a refused up left resources")
		}
	})
}

// TestTwoSitesAndInterrupts: a second site never shares the first's port or
// resources; Ctrl-C during up leaves what the next up finishes; two up of
// one site at once are serialised.
func TestTwoSitesAndInterrupts(t *testing.T) {
	e := newEnv(t)
	a, b := siteName("e2e-a"), siteName("e2e-b")
	pa, pb := freePort(t), freePort(t)
	e.cleanupSite(a)
	e.cleanupSite(b)

	// Ctrl-C once the database container exists, then finish with a re-run.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := e.command(ctx, "up", a, "--port", fmt.Sprint(pa), "--progress", "plain")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := e.cli.ContainerInspect(ctx, a+"-db-1"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	t.Logf("interrupted up: %v\n%s", err, out.String())
	if err == nil {
		t.Log("up finished before the interrupt landed; the re-run below must still be a no-op")
	}
	e.mustRun("up", a)
	if resp, body := newWP(t, pa).get("/"); resp.StatusCode != 200 || !strings.Contains(body, "<title>"+a) {
		t.Fatalf("site %s after an interrupted up and a re-run: %s", a, resp.Status)
	}

	// Another site on the first one's port is refused, naming the holder.
	e.mustFail([]string{fmt.Sprintf("in use by container %q", a+"-web-1"), "--port"}, "up", b, "--port", fmt.Sprint(pa))

	// Two up of the same new site at once: both succeed, one after the other.
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = e.run("up", b, "--port", fmt.Sprint(pb))
		}(i)
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("concurrent up #%d failed: %s", i, r)
		}
	}
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, c := range cs {
		if c.Labels["io.wpstack.site"] == b {
			count++
		}
	}
	if count != 2 {
		t.Errorf("site %s has %d containers after two concurrent up, want 2", b, count)
	}
	e.mustRun("destroy", b, "--yes")
	if len(e.labelled(b)) != 0 || len(e.labelled(a)) == 0 {
		t.Error("destroying one site touched the other, or left its own resources")
	}
}
