//go:build e2e

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAllInOneLayout runs one all-in-one site through what the course's
// first steps got wrong: install and serve, no root process, one log with
// every line prefixed by its process, a clean and quick `docker stop`, and a
// database killed with SIGKILL that comes back on its own.
func TestAllInOneLayout(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e3-aio")
	port := freePort(t)
	e.cleanupSite(name)
	cname := name + "-allinone-1"

	e.mustRun("up", name, "--layout", "allinone", "--port", fmt.Sprint(port), "--title", "All In One")
	w := newWP(t, port)
	if resp, body := w.get("/"); resp.StatusCode != 200 || !strings.Contains(body, "<title>All In One") {
		t.Fatalf("home page: %s, title missing", resp.Status)
	}
	st := e.status(name)
	if st.Layout != "allinone" || st.State != "running" || len(st.Services) != 1 || st.Services[0].Name != "allinone" || st.WordPressVersion == "" {
		t.Fatalf("status = %+v", st)
	}
	ctNoRootProcess(t, cname)
	// The image budget (issue 14): 300 MB as `docker images` shows it,
	// as wantImageSizes holds every image of a site to.
	e.wantImageSizes(t, e.stackStatus(name))
	if ro := ctInspect(t, cname, "{{.HostConfig.ReadonlyRootfs}}"); ro != "true" {
		t.Errorf("root filesystem read-only = %s", ro)
	}
	password := readFile(t, st.AdminPasswordFile)
	postID := w.newPost(st.AdminUser, password, "Survives a stop")

	logs := e.mustRun("logs", name).stdout
	for _, want := range []string{"mariadbd | ", "apache2 | ", "wpstack | started mariadbd", "wpstack | started apache2"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}

	// docker stop: SIGTERM reaches both, MariaDB flushes, PID 1 exits 0.
	start := time.Now()
	ctMust(t, "stop", cname)
	took := time.Since(start)
	t.Logf("measured: docker stop of the all-in-one container took %s", took.Round(time.Millisecond))
	if code := ctInspect(t, cname, "{{.State.ExitCode}}"); code != "0" {
		t.Errorf("exit code after docker stop = %s, want 0; log:\n%s", code, ctLogs(cname))
	}
	if strings.Contains(ctLogs(cname), "did not stop in time") {
		t.Errorf("a child had to be killed on docker stop:\n%s", ctLogs(cname))
	}
	before := len(ctLogs(cname))
	ctMust(t, "start", cname)
	ctWaitHealthy(t, cname, 3*time.Minute)
	if after := ctLogs(cname)[before:]; strings.Contains(after, "crash recovery") {
		t.Errorf("MariaDB ran crash recovery after a clean stop:\n%s", after)
	}

	// kill -9 of mariadbd: the supervisor restarts it, the site serves again.
	pid := aioHostPID(t, cname, "mariadbd")
	before = len(ctLogs(cname))
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 mariadbd (host pid %d): %v", pid, err)
	}
	ctWaitLog(t, cname, "restarting mariadbd", 30*time.Second)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, body := w.get(fmt.Sprintf("/?p=%s", postID))
		if resp.StatusCode == 200 && strings.Contains(body, "Survives a stop") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("site not serving the post 2 min after kill -9 mariadbd: %s\n%s", resp.Status, ctLogs(cname)[before:])
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("measured: serving again %s after kill -9 mariadbd", time.Since(killed).Round(time.Millisecond))
	ctWaitHealthy(t, cname, time.Minute)
	if state := ctInspect(t, cname, "{{.State.Status}} {{.RestartCount}}"); state != "running 0" {
		t.Errorf("container state %q: the restart should happen inside it", state)
	}
	if after := ctLogs(cname)[before:]; !strings.Contains(after, "crash recovery") {
		t.Logf("note: no crash recovery logged after kill -9 (MariaDB had nothing to recover)")
	}
}

// aioHostPID finds the host pid of a process of the container by its command.
func aioHostPID(t *testing.T, cname, comm string) int {
	t.Helper()
	out := ctMust(t, "top", cname, "-o", "pid,comm")
	for _, l := range strings.Split(out, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) == 2 && f[1] == comm {
			pid, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
	}
	t.Fatalf("no %s in %s:\n%s", comm, cname, out)
	return 0
}
