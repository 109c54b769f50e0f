//go:build e2e

package e2e

// Faults: what a bad day does to a site, and what must hold afterwards.
// Every test prints its figures on one line starting with FAULT, so
// `grep '^ *faults_test.go:[0-9]*: FAULT' e2e.log` collects them.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// faultPoints is how many kill points each of up, backup and restore gets.
const faultPoints = 12

// faultSite makes a site on the engine e talks to and returns its port and
// admin password; it is destroyed when the test ends.
func faultSite(e *env, prefix string, extra ...string) (name string, port int, password string) {
	e.t.Helper()
	name = siteName(prefix)
	port = freePort(e.t)
	e.cleanupSite(name)
	e.mustRun(append([]string{"up", name, "--port", strconv.Itoa(port), "--title", "Fault " + name, "--wordpress-source", "debian"}, extra...)...)
	return name, port, readFile(e.t, filepath.Join(e.home, "sites", name, "secrets", "admin_password"))
}

// faultClient is a plain HTTP client that never follows redirects.
var faultClient = &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// homeServes says whether the home page at addr (HOST:PORT) answers 200
// with the site's title, asked with the Host header WordPress expects.
func homeServes(addr string, port int, title string) error {
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Host = fmt.Sprintf("localhost:%d", port)
	resp, err := faultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), title) {
		return fmt.Errorf("GET / answered %s: %.200s", resp.Status, body)
	}
	return nil
}

// tryPost publishes a post through XML-RPC and says whether WordPress
// acknowledged it (an ID came back); a failure is not fatal.
func tryPost(port int, password, title string) error {
	call := fmt.Sprintf(`<?xml version="1.0"?><methodCall><methodName>wp.newPost</methodName><params>
<param><value><int>1</int></value></param><param><value><string>admin</string></value></param>
<param><value><string>%s</string></value></param><param><value><struct>
<member><name>post_title</name><value><string>%s</string></value></member>
<member><name>post_content</name><value><string>Written under a fault.</string></value></member>
<member><name>post_status</name><value><string>publish</string></value></member>
</struct></value></param></params></methodCall>`, password, title)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/xmlrpc.php", port), strings.NewReader(call))
	req.Host = fmt.Sprintf("localhost:%d", port)
	req.Header.Set("Content-Type", "text/xml")
	resp, err := faultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != 200 || strings.Contains(body, "faultCode") || !strings.Contains(body, "<string>") {
		return fmt.Errorf("wp.newPost: %s %.200s", resp.Status, body)
	}
	return nil
}

// mariadbdPID finds the mariadbd process of a container from the host: the
// container's PID 1 is wpstack's, mariadbd is in its process tree.
func mariadbdPID(t *testing.T, container string) int {
	t.Helper()
	root, err := strconv.Atoi(ctInspect(t, container, "{{.State.Pid}}"))
	if err != nil || root == 0 {
		t.Fatalf("PID of %s: %q %v", container, ctInspect(t, container, "{{.State.Pid}}"), err)
	}
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p)); strings.TrimSpace(string(comm)) == "mariadbd" {
			return p
		}
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", p))
		for _, f := range tasks {
			b, _ := os.ReadFile(f)
			for _, c := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(c); err == nil {
					queue = append(queue, n)
				}
			}
		}
	}
	t.Fatalf("no mariadbd process under PID %d of %s", root, container)
	return 0
}

// TestFaultDBKill SIGKILLs mariadbd (from the host, so no restart policy
// knows it was asked) while posts are written in a loop: every post
// WordPress acknowledged must be in the database afterwards, and the site
// must come back by itself.
func TestFaultDBKill(t *testing.T) {
	e := newEnv(t)
	name, port, pw := faultSite(e, "e2eh-dbk")
	db := name + "-db-1"
	restarts0 := ctInspect(t, db, "{{.RestartCount}}")

	type write struct {
		title    string
		ok       bool
		from, to time.Time
	}
	var (
		mu     sync.Mutex
		writes []write
	)
	// Two writers, so that a write is in flight in more than one
	// connection when mariadbd dies.
	const writers = 2
	stop := make(chan struct{})
	done := make(chan struct{})
	var wg sync.WaitGroup
	go func() { wg.Wait(); close(done) }()
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				w := write{title: fmt.Sprintf("fault-db-%d-%05d", i, n), from: time.Now()}
				err := tryPost(port, pw, w.title)
				w.ok, w.to = err == nil, time.Now()
				mu.Lock()
				writes = append(writes, w)
				mu.Unlock()
				if err != nil {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	acked := func(after time.Time) (n int) {
		mu.Lock()
		defer mu.Unlock()
		for _, w := range writes {
			if w.ok && w.from.After(after) {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(2 * time.Minute); acked(time.Time{}) < 100; {
		if time.Now().After(deadline) {
			close(stop)
			t.Fatalf("the write loop got %d posts acknowledged in 2 minutes before any fault", acked(time.Time{}))
		}
		time.Sleep(100 * time.Millisecond)
	}
	pid := mariadbdPID(t, db)
	killAt := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d (mariadbd of %s): %v", pid, db, err)
	}
	// Back means: writes begun after the kill are acknowledged again.
	var back time.Time
	for deadline := killAt.Add(3 * time.Minute); ; {
		mu.Lock()
		for _, w := range writes {
			if w.ok && w.from.After(killAt) {
				back = w.to
				break
			}
		}
		mu.Unlock()
		if !back.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			close(stop)
			<-done
			t.Fatalf("no write acknowledged within 3 minutes of kill -9 of mariadbd; db state %s", ctInspect(t, db, "{{.State.Status}} restarts={{.RestartCount}}"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	for deadline := time.Now().Add(30 * time.Second); acked(back) < 50 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	<-done

	stored := map[string]bool{}
	for _, l := range strings.Fields(bkSQL(t, name, "SELECT post_title FROM wp_posts WHERE post_title LIKE 'fault-db-%' AND post_status = 'publish'")) {
		stored[l] = true
	}
	var ok, lost, failed, failedStored, dup int
	seen := map[string]bool{}
	for _, w := range writes {
		if seen[w.title] {
			dup++
		}
		seen[w.title] = true
		switch {
		case w.ok && stored[w.title]:
			ok++
		case w.ok:
			lost++
			t.Errorf("post %q was acknowledged at %s and is not in the database", w.title, w.to.Format(time.StampMilli))
		case stored[w.title]:
			failed++
			failedStored++
		default:
			failed++
		}
	}
	newPID := mariadbdPID(t, db)
	if newPID == pid {
		t.Fatalf("mariadbd still has PID %d: the kill did not happen", pid)
	}
	restarts := ctInspect(t, db, "{{.RestartCount}}")
	if err := homeServes(fmt.Sprintf("127.0.0.1:%d", port), port, "Fault "+name); err != nil {
		t.Errorf("after the db came back the site does not serve: %v", err)
	}
	t.Logf("FAULT db-kill gap=%.1fs acknowledged=%d lost=%d failed=%d failed-but-stored=%d container-restarts=%s->%s",
		back.Sub(killAt).Seconds(), ok+lost, lost, failed, failedStored, restarts0, restarts)
}

// TestFaultEngineRestart restarts a Docker engine with two sites on it and
// wants both to serve again by themselves. The engine is a lab engine:
// the test engine is shared and is never restarted.
func TestFaultEngineRestart(t *testing.T) {
	e := newEnv(t)
	l := startLab(t, e.home)
	e.extra = append(e.extra, "DOCKER_HOST="+l.host())
	type st struct {
		name  string
		port  int
		title string
	}
	var sites []st
	for _, p := range []string{"e2eh-er1", "e2eh-er2"} {
		name := siteName(p)
		port := freePort(t)
		sites = append(sites, st{name, port, "Fault " + name})
		e.mustRun("up", name, "--port", strconv.Itoa(port), "--title", "Fault "+name, "--wordpress-source", "debian")
	}
	for _, s := range sites {
		if err := homeServes(fmt.Sprintf("%s:%d", l.ip, s.port), s.port, s.title); err != nil {
			t.Fatalf("%s before the restart: %v", s.name, err)
		}
	}
	start := time.Now()
	l.must("restart", "-t", "30", l.name)
	stopped := time.Since(start)
	engine := l.waitEngine(2*time.Minute) + stopped
	back := map[string]time.Duration{}
	for deadline := time.Now().Add(3 * time.Minute); len(back) < len(sites); {
		for _, s := range sites {
			if _, ok := back[s.name]; !ok && homeServes(fmt.Sprintf("%s:%d", l.ip, s.port), s.port, s.title) == nil {
				back[s.name] = time.Since(start)
			}
		}
		if time.Now().After(deadline) {
			ps, _ := clDocker(context.Background(), nil, "-H", l.host(), "ps", "-a", "--format", "{{.Names}} {{.Status}}")
			t.Fatalf("after the engine restart, sites serving: %v of %d within 3 minutes; containers:\n%s", back, len(sites), ps)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var slowest time.Duration
	for _, d := range back {
		slowest = max(slowest, d)
	}
	t.Logf("FAULT engine-restart sites=%d engine-stop=%.1fs engine-answers=%.1fs all-serving=%.1fs (%s %.1fs, %s %.1fs)",
		len(sites), stopped.Seconds(), engine.Seconds(), slowest.Seconds(),
		sites[0].name, back[sites[0].name].Seconds(), sites[1].name, back[sites[1].name].Seconds())
}

// faultMount mounts a tmpfs of size at a new folder and unmounts it when
// the test ends.
func faultMount(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0755", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a %s tmpfs (the full-disk faults need root): %v %s", size, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

func faultFree(t *testing.T, dir string) int64 {
	t.Helper()
	var s syscall.Statfs_t
	if err := syscall.Statfs(dir, &s); err != nil {
		t.Fatal(err)
	}
	return int64(s.Bavail) * s.Bsize
}

// faultRandomFile puts size random bytes into the site's uploads, as the
// web user, and returns the file's path under wp-content.
func faultRandomFile(t *testing.T, site, name string, size int) string {
	t.Helper()
	p := "wp-content/uploads/" + name
	ctMust(t, "exec", "-u", "www-data", site+"-web-1", "sh", "-c",
		fmt.Sprintf("mkdir -p /var/www/html/wp-content/uploads && head -c %d /dev/urandom > /var/www/html/%s", size, p))
	return p
}

func faultDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range es {
		out = append(out, en.Name())
	}
	return out
}

// TestFaultBackupFullDisk backs up into a folder too small for the
// archive: a clear error, no archive under the final name, the site as it was.
func TestFaultBackupFullDisk(t *testing.T) {
	e := newEnv(t)
	name, port, _ := faultSite(e, "e2eh-bfd")
	faultRandomFile(t, name, "fault-3m.bin", 3<<20)
	out := faultMount(t, "2m")
	before := bkState(t, name)
	final := filepath.Join(out, name+".wpbackup")
	r := e.run("backup", name, "-o", final)
	if r.code == 0 {
		t.Fatalf("backup into a 2 MiB folder of a site over 3 MiB succeeded: %s", r)
	}
	msg := strings.TrimSpace(r.stderr)
	if !strings.Contains(strings.ToLower(msg), "no space") {
		t.Errorf("the error does not say the disk is full:\n%s", msg)
	}
	if !strings.Contains(msg, out) {
		t.Errorf("the error does not name the folder that is full (%s):\n%s", out, msg)
	}
	if _, err := os.Stat(final); err == nil {
		t.Errorf("a partial archive is left under the final name %s", final)
	}
	left := faultDir(t, out)
	if len(left) > 0 {
		t.Errorf("the failed backup left files in %s: %v", out, left)
	}
	after := bkState(t, name)
	if d := bkDiff(before, after); d != "" {
		t.Errorf("the site changed across the failed backup:\n%s", d)
	}
	if err := homeServes(fmt.Sprintf("127.0.0.1:%d", port), port, "Fault "+name); err != nil {
		t.Errorf("the site does not serve after the failed backup: %v", err)
	}
	first := errorLine(msg)
	t.Logf("FAULT backup-full-disk exit=%d took=%.1fs final-name=%s leftovers=%d free-after=%dKiB site-unchanged=%t error=%q",
		r.code, r.took.Seconds(), map[bool]string{true: "absent", false: "PRESENT"}[!fileExists(final)], len(left),
		faultFree(t, out)>>10, bkDiff(before, after) == "", first)
}

// errorLine is the line of wpstack's output that starts with "error:".
func errorLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "error:") {
			return l
		}
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestFaultRestoreFullDisk restores an archive that does not fit into a
// site whose --data-dir is nearly full: the restore fails, and the site is
// as it was and serves.
func TestFaultRestoreFullDisk(t *testing.T) {
	e := newEnv(t)
	mnt := faultMount(t, "400m")
	name, port, pw := faultSite(e, "e2eh-rfd", "--data-dir", filepath.Join(mnt, "site"))
	w := newWP(t, port)
	w.newPost("admin", pw, "fault-restore-before")
	big := faultRandomFile(t, name, "fault-16m.bin", 16<<20)
	archive := filepath.Join(t.TempDir(), "big.wpbackup")
	e.mustRun("backup", name, "-o", archive)
	ctMust(t, "exec", "-u", "www-data", name+"-web-1", "rm", "-f", "/var/www/html/"+big)
	w.newPost("admin", pw, "fault-restore-after-backup")
	before := bkState(t, name)

	// Leave 6 MiB: the site runs, the archive's 16 MiB file does not fit.
	filler := filepath.Join(mnt, "filler")
	free := faultFree(t, mnt)
	if out, err := exec.Command("fallocate", "-l", strconv.FormatInt(free-6<<20, 10), filler).CombinedOutput(); err != nil {
		t.Fatalf("fill %s: %v %s", mnt, err, out)
	}
	r := e.run("restore", name, archive)
	freeAfter := faultFree(t, mnt)
	if r.code == 0 {
		t.Fatalf("restore of a 16 MiB file into 6 MiB of free space succeeded: %s", r)
	}
	msg := strings.TrimSpace(r.stderr)
	after := bkState(t, name)
	d := bkDiff(before, after)
	if d != "" {
		t.Errorf("the failed restore changed the site:\n%s", d)
	}
	serves := homeServes(fmt.Sprintf("127.0.0.1:%d", port), port, "Fault "+name)
	if serves != nil {
		t.Errorf("the site does not serve after the failed restore: %v", serves)
	}
	_ = os.Remove(filler)
	if !strings.Contains(strings.ToLower(msg), "space") {
		t.Errorf("the error does not say the disk is full:\n%s", msg)
	}
	first := errorLine(msg)
	t.Logf("FAULT restore-full-disk exit=%d took=%.1fs free-before=%dKiB free-after=%dKiB site-unchanged=%t serves=%t error=%q",
		r.code, r.took.Seconds(), 6<<10, freeAfter>>10, d == "", serves == nil, first)
}

// killRun runs wpstack with --progress json and SIGKILLs it after delay,
// or right after its after-th progress event when after > 0. It returns
// the last event seen and whether the kill landed before wpstack finished.
func killRun(e *env, delay time.Duration, after int, args ...string) (last string, killed bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := e.command(ctx, append(args, "--progress", "json")...)
	cmd.Stdout = io.Discard
	events, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	var mu sync.Mutex
	kill := func() {
		mu.Lock()
		defer mu.Unlock()
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	if after == 0 {
		tm := time.AfterFunc(delay, kill)
		defer tm.Stop()
	}
	sc := bufio.NewScanner(events)
	for n := 0; sc.Scan(); {
		var ev struct{ Resource, Status, Text string }
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		n++
		mu.Lock()
		last = ev.Resource + " (" + ev.Status + "): " + ev.Text
		mu.Unlock()
		if after > 0 && n == after {
			kill()
		}
	}
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	killed = ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	if err != nil && !killed {
		e.t.Logf("wpstack %v failed on its own before the kill: %v", args, err)
	}
	return last, killed
}

// faultPhase is the short form of a progress event killRun returns:
// "backup site-….wpbackup (working)" becomes "backup/working".
func faultPhase(last string) string {
	res, rest, ok := strings.Cut(last, " (")
	if !ok {
		return "before-any-event"
	}
	status, _, _ := strings.Cut(rest, ")")
	res = faultSiteRE.ReplaceAllString(res, "SITE")
	return strings.ReplaceAll(res, " ", "-") + "/" + status
}

// faultSiteRE matches this file's site names (and backup names made of them).
var faultSiteRE = regexp.MustCompile(`e2eh-[a-z]+-[0-9a-f]{6}[^ ]*`)

// faultProgressEvents counts the progress events of a full run.
func faultProgressEvents(e *env, args ...string) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := e.command(ctx, append(args, "--progress", "json")...)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("wpstack %v: %v\n%s", args, err, errb.String())
	}
	return strings.Count(errb.String(), "\n")
}

// TestFaultKillUp SIGKILLs `wpstack up` of a new site after each of its
// progress events in turn; the next `up` must finish the job: the site
// serves, WordPress is installed with wpstack's admin password.
func TestFaultKillUp(t *testing.T) {
	e := newEnv(t)
	probe := siteName("e2eh-kup")
	e.cleanupSite(probe)
	events := faultProgressEvents(e, "up", probe, "--port", strconv.Itoa(freePort(t)), "--wordpress-source", "debian")
	e.mustRun("destroy", probe, "--yes")
	// Kill points spread over every event but the last (printed after
	// the site serves), so the install is among them.
	points := min(events-1, faultPoints)
	if points < 10 {
		t.Fatalf("up prints %d progress events; the test needs 10 kill points", events)
	}
	after := func(i int) int { return 1 + i*(events-2)/(points-1) }
	var fixed, phases []string
	var next time.Duration
	killedN := 0
	for i := 0; i < points; i++ {
		k := after(i)
		name := siteName("e2eh-kup")
		port := freePort(t)
		e.cleanupSite(name)
		args := []string{"up", name, "--port", strconv.Itoa(port), "--title", "Fault " + name, "--wordpress-source", "debian"}
		last, killed := killRun(e, 0, k, args...)
		if killed {
			killedN++
			phases = append(phases, fmt.Sprintf("%d:%s", k, faultPhase(last)))
		}
		r := e.run(args...)
		if r.code != 0 {
			t.Errorf("kill -9 of up after event %d (%s): the next up failed: %s", k, last, r)
			continue
		}
		next += r.took
		if err := homeServes(fmt.Sprintf("127.0.0.1:%d", port), port, "Fault "+name); err != nil {
			t.Errorf("kill -9 of up after event %d (%s): after the next up the site does not serve: %v", k, last, err)
			continue
		}
		pw := readFile(t, filepath.Join(e.home, "sites", name, "secrets", "admin_password"))
		if err := tryPost(port, pw, "fault-kill-up"); err != nil {
			t.Errorf("kill -9 of up after event %d (%s): wpstack's admin password does not work after the next up: %v", k, last, err)
			continue
		}
		fixed = append(fixed, fmt.Sprintf("%d", k))
		e.mustRun("destroy", name, "--yes")
	}
	if killedN < 10 {
		t.Errorf("only %d of %d kills landed before up finished", killedN, points)
	}
	t.Logf("FAULT kill-up points=%d killed-mid-run=%d next-run-finished=%d next-run-mean=%.1fs phases=%s",
		points, killedN, len(fixed), next.Seconds()/float64(max(len(fixed), 1)), strings.Join(phases, ","))
}

// faultTimes are n kill delays spread from 5% to 75% of a run of length d
// (runs vary: a kill late in the shortest run may come after the end).
func faultTimes(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d/20 + (d*14/20)*time.Duration(i)/time.Duration(n-1)
	}
	return out
}

func sha256Of(t *testing.T, site, path string) string {
	t.Helper()
	out := ctMust(t, "exec", "-u", "www-data", site+"-web-1", "sha256sum", "/var/www/html/"+path)
	f := strings.Fields(out)
	if len(f) == 0 {
		t.Fatalf("sha256sum %s: %q", path, out)
	}
	return f[0]
}

// TestFaultKillBackup SIGKILLs `wpstack backup` at points spread over a
// run: no file is ever left under the final name unless it verifies, and
// the next backup finishes and verifies.
func TestFaultKillBackup(t *testing.T) {
	e := newEnv(t)
	name, _, _ := faultSite(e, "e2eh-kbk")
	faultRandomFile(t, name, "fault-100m.bin", 100<<20)
	dir := t.TempDir()
	// The shortest of two full runs (the first reads a cold cache) sets
	// the kill points.
	full := time.Hour
	for i := 0; i < 2; i++ {
		p := filepath.Join(dir, "full.wpbackup")
		start := time.Now()
		e.mustRun("backup", name, "-o", p)
		full = min(full, time.Since(start))
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	killedN, finalAfterKill, nextOK := 0, 0, 0
	var leftovers, phases []string
	for k, d := range faultTimes(full, faultPoints) {
		final := filepath.Join(dir, fmt.Sprintf("k%02d.wpbackup", k+1))
		last, killed := killRun(e, d, 0, "backup", name, "-o", final)
		if killed {
			killedN++
			phases = append(phases, fmt.Sprintf("%dms:%s", d.Milliseconds(), faultPhase(last)))
		}
		if fileExists(final) {
			// Only a finished archive may carry the name: it must verify.
			finalAfterKill++
			if r := e.run("backup", "verify", final); r.code != 0 {
				t.Errorf("kill -9 at %s (%s) left %s under its final name and it does not verify: %s", d, last, final, r)
			}
			_ = os.Remove(final)
		}
		r := e.run("backup", name, "-o", final)
		if r.code != 0 {
			t.Errorf("kill -9 at %s (%s): the next backup failed: %s", d, last, r)
			continue
		}
		if r := e.run("backup", "verify", final); r.code != 0 {
			t.Errorf("kill -9 at %s (%s): the next backup does not verify: %s", d, last, r)
			continue
		}
		nextOK++
		_ = os.Remove(final)
		for _, f := range faultDir(t, dir) {
			leftovers = append(leftovers, f)
			_ = os.Remove(filepath.Join(dir, f))
		}
	}
	if killedN < 10 {
		t.Errorf("only %d of %d kills landed before backup finished (a full backup took %s)", killedN, faultPoints, full)
	}
	t.Logf("FAULT kill-backup points=%d killed-mid-run=%d full-run=%.2fs final-name-after-kill=%d next-run-verified=%d hidden-leftovers=%d phases=%s",
		faultPoints, killedN, full.Seconds(), finalAfterKill, nextOK, len(leftovers), strings.Join(phases, ","))
	if len(leftovers) > 0 {
		t.Logf("hidden partial files the killed backups left (the next backup does not remove them): %v", leftovers)
	}
}

// TestFaultKillRestore SIGKILLs `wpstack restore` at points spread over a
// run; the next restore must succeed and leave the archive's content.
func TestFaultKillRestore(t *testing.T) {
	e := newEnv(t)
	name, port, pw := faultSite(e, "e2eh-krs")
	w := newWP(t, port)
	w.newPost("admin", pw, "fault-restore-marker")
	big := faultRandomFile(t, name, "fault-24m.bin", 24<<20)
	want := sha256Of(t, name, big)
	archive := filepath.Join(t.TempDir(), "site.wpbackup")
	e.mustRun("backup", name, "-o", archive)
	full := time.Hour
	for i := 0; i < 2; i++ {
		start := time.Now()
		e.mustRun("restore", name, archive)
		full = min(full, time.Since(start))
	}
	safety := filepath.Join(e.home, "backups", name)
	titles := func() string {
		return bkSQL(t, name, "SELECT post_title FROM wp_posts WHERE post_title LIKE 'fault-%' AND post_status = 'publish' ORDER BY post_title")
	}
	killedN, nextOK := 0, 0
	var phases []string
	for k, d := range faultTimes(full, faultPoints) {
		marker := fmt.Sprintf("fault-after-%02d", k+1)
		newWP(t, port).newPost("admin", pw, marker)
		last, killed := killRun(e, d, 0, "restore", name, archive)
		// A restore's length varies twofold on a busy machine: a run that
		// finished before its kill point is tried again, earlier.
		for try := 0; !killed && try < 3; try++ {
			d /= 2
			last, killed = killRun(e, d, 0, "restore", name, archive)
		}
		if killed {
			killedN++
			phases = append(phases, fmt.Sprintf("%dms:%s", d.Milliseconds(), faultPhase(last)))
		}
		// Right away: a safety backup in the same second as the killed
		// run's gets a name of its own.
		r := e.run("restore", name, archive)
		if r.code != 0 {
			t.Errorf("kill -9 at %s (%s): the next restore failed: %s", d, last, r)
			continue
		}
		got := titles()
		if !strings.Contains(got, "fault-restore-marker") || strings.Contains(got, marker) {
			t.Errorf("kill -9 at %s (%s): after the next restore the posts are %q, want the archive's (fault-restore-marker, not %s)", d, last, got, marker)
			continue
		}
		if s := sha256Of(t, name, big); s != want {
			t.Errorf("kill -9 at %s (%s): after the next restore %s has sha256 %s, want %s", d, last, big, s, want)
			continue
		}
		if err := homeServes(fmt.Sprintf("127.0.0.1:%d", port), port, "Fault "+name); err != nil {
			t.Errorf("kill -9 at %s (%s): the site does not serve after the next restore: %v", d, last, err)
			continue
		}
		nextOK++
		// The safety backups each restore takes are not under test here.
		_ = os.RemoveAll(safety)
	}
	if killedN < 10 {
		t.Errorf("only %d of %d kills landed before restore finished (a full restore took %s)", killedN, faultPoints, full)
	}
	t.Logf("FAULT kill-restore points=%d killed-mid-run=%d full-run=%.2fs next-run-restored=%d phases=%s",
		faultPoints, killedN, full.Seconds(), nextOK, strings.Join(phases, ","))
}
