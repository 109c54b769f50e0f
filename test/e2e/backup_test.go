//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBackupRestore runs every backup check on one site: backup, verify and
// list; bad archives refused with the site untouched; restore equality into
// the same site; restore into a new site at another URL (posts, media and a
// serialized option); kill -9 during a backup.
func TestBackupRestore(t *testing.T) {
	e := newEnv(t)
	name, copyName := siteName("e2e6-bk"), siteName("e2e6-bkc")
	e.cleanupSite(name)
	e.cleanupSite(copyName)
	port, copyPort := freePort(t), freePort(t)
	e.mustRun("up", name, "--port", fmt.Sprint(port), "--title", "Backup Source")
	st := e.status(name)
	password := readFile(t, st.AdminPasswordFile)
	w := newWP(t, port)
	w.newPost("admin", password, "Kept by the backup")
	mediaURL := w.uploadFile("admin", password, "e2e6-note.txt", "text/plain", []byte("media that must survive a restore\n"))
	oldURL := fmt.Sprintf("http://localhost:%d", port)
	if !strings.HasPrefix(mediaURL, oldURL+"/wp-content/uploads/") {
		t.Fatalf("upload URL %q is not under %s/wp-content/uploads/", mediaURL, oldURL)
	}
	// A serialized option holding the URL: its count must be fixed at a new address.
	ser := func(u string) string { return fmt.Sprintf(`a:1:{s:3:"url";s:%d:"%s";}`, len(u), u) }
	bkSQL(t, name, fmt.Sprintf("INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('e2e6_serialized', '%s', 'no');", ser(oldURL+"/é")))

	dir := t.TempDir()
	archive := filepath.Join(dir, "site.wpbackup")
	before := bkState(t, name)
	r := e.mustRun("backup", name, "-o", archive)
	for _, want := range []string{archive, "sha256:", "duration:", "MB"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("backup output lacks %q:\n%s", want, r.stdout)
		}
	}
	if got := bkState(t, name); bkDiff(before, got) != "" {
		t.Fatalf("the site changed during its backup (the equality check below would be meaningless):\n%s", bkDiff(before, got))
	}
	r = e.mustRun("backup", "verify", archive)
	for _, want := range []string{"valid backup", oldURL, "utf8mb4", "every checksum matches"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, r.stdout)
		}
	}

	// Change the site, so a restore has something to undo.
	w.newPost("admin", password, "Written after the backup")
	ctMust(t, "exec", "-u", "www-data", name+"-web-1", "sh", "-c", "echo extra > /var/www/html/wp-content/uploads/after-backup.txt")
	changed := bkState(t, name)

	t.Run("bad archives are refused, site untouched", func(t *testing.T) {
		data, err := os.ReadFile(archive)
		if err != nil {
			t.Fatal(err)
		}
		corrupt := append([]byte(nil), data...)
		corrupt[len(corrupt)/2] ^= 0xff
		bad := map[string][]byte{
			"corrupted.wpbackup": corrupt,
			"truncated.wpbackup": data[:len(data)*2/3],
			"foreign.wpbackup":   []byte("this is not a backup\n"),
		}
		wants := map[string]string{"corrupted.wpbackup": "corrupted", "truncated.wpbackup": "truncated", "foreign.wpbackup": "not a valid wpstack backup"}
		for file, b := range bad {
			p := filepath.Join(dir, file)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustFail([]string{wants[file]}, "backup", "verify", p)
			e.mustFail([]string{wants[file], "nothing was changed"}, "restore", name, p)
		}
		if got := bkState(t, name); bkDiff(changed, got) != "" {
			t.Errorf("a refused restore changed the site:\n%s", bkDiff(changed, got))
		}
		if _, err := os.Stat(filepath.Join(e.home, "sites", copyName)); err == nil {
			t.Error("a refused restore created a site")
		}
	})

	t.Run("restore into the same site is exact", func(t *testing.T) {
		r := e.mustRun("restore", name, archive)
		if !strings.Contains(r.stdout, "before-restore") {
			t.Errorf("restore does not name its safety backup:\n%s", r.stdout)
		}
		if got := bkState(t, name); bkDiff(before, got) != "" {
			t.Errorf("restored site differs from the backed-up one:\n%s", bkDiff(before, got))
		}
		r = e.mustRun("backup", "list", name)
		if !strings.Contains(r.stdout, "before-restore.wpbackup") {
			t.Errorf("backup list does not show the safety backup:\n%s", r.stdout)
		}
		if resp, body := w.get("/"); resp.StatusCode != 200 || !strings.Contains(body, "Kept by the backup") || strings.Contains(body, "Written after the backup") {
			t.Errorf("restored home page: %s, has the backed-up post: %v, has the later post: %v", resp.Status, strings.Contains(body, "Kept by the backup"), strings.Contains(body, "Written after the backup"))
		}
	})

	t.Run("restore into a new site at another URL", func(t *testing.T) {
		e.mustRun("restore", copyName, archive, "--port", fmt.Sprint(copyPort))
		newURL := fmt.Sprintf("http://localhost:%d", copyPort)
		cw := newWP(t, copyPort)
		resp, body := cw.get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Kept by the backup") || !strings.Contains(body, "Backup Source") {
			t.Fatalf("new site home page: %s, post there: %v", resp.Status, strings.Contains(body, "Kept by the backup"))
		}
		if strings.Contains(body, oldURL) {
			t.Errorf("new site's home page still links to %s", oldURL)
		}
		u, _ := url.Parse(strings.Replace(mediaURL, oldURL, newURL, 1))
		if resp, got := cw.get(u.Path); resp.StatusCode != 200 || !strings.Contains(got, "media that must survive") {
			t.Errorf("media %s on the new site: %s", u.Path, resp.Status)
		}
		_, media := cw.get("/?rest_route=/wp/v2/media")
		if !strings.Contains(media, strings.ReplaceAll(newURL, "/", `\/`)+`\/wp-content\/uploads\/`) {
			t.Errorf("the media library does not point at %s: %.400s", newURL, media)
		}
		if got, want := strings.TrimSpace(bkSQL(t, copyName, "SELECT option_value FROM wp_options WHERE option_name='e2e6_serialized'")), ser(newURL+"/é"); got != want {
			t.Errorf("serialized option = %s, want %s", got, want)
		}
		// The new site's printed credentials work on the restored users.
		cw.login("admin", readFile(t, e.status(copyName).AdminPasswordFile))
		// Same tables, and the same files, as the backed-up site.
		if got, want := len(bkState(t, copyName)), len(before); got != want {
			t.Errorf("new site has %d tables+files, the original %d", got, want)
		}
	})

	t.Run("--include-secrets: a new site adopts the backup's passwords and keys", func(t *testing.T) {
		secretName, secretPort := siteName("e2e6-bks"), freePort(t)
		e.cleanupSite(secretName)
		withSecrets := filepath.Join(dir, "with-secrets.wpbackup")
		r := e.mustRun("backup", name, "-o", withSecrets, "--include-secrets")
		if !strings.Contains(r.stderr, "IN CLEAR") {
			t.Errorf("backup --include-secrets does not warn loudly:\n%s", r.stderr)
		}
		if r := e.mustRun("backup", "verify", withSecrets); !strings.Contains(r.stdout, "secrets:   INCLUDED") {
			t.Errorf("verify does not say the secrets are included:\n%s", r.stdout)
		}
		if r := e.mustRun("backup", "verify", archive); !strings.Contains(r.stdout, "secrets:   none") {
			t.Errorf("verify of a plain backup does not say it has no secrets:\n%s", r.stdout)
		}
		e.mustRun("restore", secretName, withSecrets, "--port", fmt.Sprint(secretPort))
		for _, k := range []string{"db_password", "db_root_password", "admin_password", "wp_salts"} {
			src := readFile(t, filepath.Join(e.home, "sites", name, "secrets", k))
			if got := readFile(t, filepath.Join(e.home, "sites", secretName, "secrets", k)); got != src {
				t.Errorf("secret %s of the new site differs from the backed-up site's", k)
			}
		}
		newWP(t, secretPort).login("admin", password)
	})

	t.Run("kill -9 during a backup leaves no complete-looking archive", func(t *testing.T) {
		killed := false
		for attempt := 0; attempt < 5 && !killed; attempt++ {
			out := filepath.Join(dir, fmt.Sprintf("killed-%d.wpbackup", attempt))
			cmd := e.command(context.Background(), "backup", name, "-o", out, "--progress", "quiet")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill once the dump is flowing: a partial file with data in it.
			deadline := time.Now().Add(60 * time.Second)
			for time.Now().Before(deadline) {
				if m, _ := filepath.Glob(filepath.Join(dir, ".partial-killed-"+strconv.Itoa(attempt)+"*")); len(m) > 0 {
					if fi, err := os.Stat(m[0]); err == nil && fi.Size() > 0 {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			var ee *exec.ExitError
			if asExit(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
				killed = true
			}
			if _, err := os.Stat(out); err == nil {
				if killed {
					t.Fatalf("a killed backup left %s", out)
				}
				continue // it finished before the kill: try again
			}
			partials, _ := filepath.Glob(filepath.Join(dir, ".partial-killed-"+strconv.Itoa(attempt)+"*"))
			for _, p := range partials {
				e.mustFail([]string{"not a valid wpstack backup", "interrupted"}, "backup", "verify", p)
			}
		}
		if !killed {
			t.Fatal("every backup finished before it could be killed")
		}
	})
	t.Run("scheduled backups run, prune and report failures", func(t *testing.T) {
		e.mustRun("backup", name, "--every", "10s", "--keep", "2")
		backupCtr := name + "-backup-1"
		// Three runs at least, so the first one has been pruned.
		seen := map[string]bool{}
		waitStatus := func(what string, ok func(st scheduleStatus) bool) scheduleStatus {
			t.Helper()
			return e.with(t).waitScheduled(name, what, seen, ok)
		}
		st := waitStatus("three scheduled backups", func(st scheduleStatus) bool { return len(seen) >= 3 && st.LastError == "" })
		files := strings.Fields(ctMust(t, "exec", "-u", "mysql", backupCtr, "sh", "-c", "cd /backups && ls *.wpbackup"))
		if len(files) != 2 || len(st.Kept) != 2 {
			t.Errorf("keep 2: the volume holds %v, status says kept %v", files, st.Kept)
		}
		// A scheduled backup is a real backup: copy it out and verify it.
		out := filepath.Join(dir, "scheduled.wpbackup")
		ctMust(t, "cp", backupCtr+":/backups/"+st.LastFile, out)
		e.mustRun("backup", "verify", out)
		r := e.mustRun("backup", "list", name)
		if !strings.Contains(r.stdout, backupCtr+":/backups/") {
			t.Errorf("backup list does not show the scheduled backups:\n%s", r.stdout)
		}

		// A failing run (database stopped) shows in status, and clears when fixed.
		ctMust(t, "stop", name+"-db-1")
		st = waitStatus("a failed run", func(st scheduleStatus) bool { return st.LastError != "" })
		r = e.run("status", name)
		if !strings.Contains(r.stdout, "LAST RUN FAILED") {
			t.Errorf("status does not report the failed backup:\n%s", r.stdout)
		}
		ctMust(t, "start", name+"-db-1")
		waitStatus("a successful run after the fix", func(st scheduleStatus) bool { return st.LastError == "" && !st.LastSuccess.IsZero() })

		e.mustRun("backup", name, "--every", "off")
		if got := e.labelled(name); strings.Contains(strings.Join(got, " "), "container /"+backupCtr) {
			t.Errorf("--every off left the backup service: %v", got)
		}
	})
}

// waitScheduled polls `status --json` until ok holds for the site's
// scheduled backups (3 min at most), recording every last_file in seen.
func (e *env) waitScheduled(name, what string, seen map[string]bool, ok func(st scheduleStatus) bool) scheduleStatus {
	e.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var st struct {
			State   string         `json:"state"`
			Backups scheduleStatus `json:"backups"`
		}
		r := e.mustRun("status", name, "--json")
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			e.t.Fatalf("status --json: %v\n%s", err, r.stdout)
		}
		st.Backups.state = st.State
		if st.Backups.LastFile != "" {
			seen[st.Backups.LastFile] = true
		}
		if ok(st.Backups) {
			return st.Backups
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waiting for %s: last status %+v", what, st)
		}
		time.Sleep(2 * time.Second)
	}
}

type scheduleStatus struct {
	LastRun     time.Time `json:"last_run"`
	LastSuccess time.Time `json:"last_success"`
	LastFile    string    `json:"last_file"`
	LastError   string    `json:"last_error"`
	Kept        []string  `json:"kept"`
	state       string
}

func asExit(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	if ok {
		*target = ee
	}
	return ok
}

// TestAllInOneScheduledBackups: the all-in-one container runs the backup loop
// as a third child of its PID 1, not as root, and its backups are real ones.
func TestAllInOneScheduledBackups(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e6-aiobk")
	e.cleanupSite(name)
	cname := name + "-allinone-1"
	e.mustRun("up", name, "--layout", "allinone", "--port", fmt.Sprint(freePort(t)))
	e.mustRun("backup", name, "--every", "10s", "--keep", "2")
	seen := map[string]bool{}
	st := e.waitScheduled(name, "three scheduled backups", seen, func(st scheduleStatus) bool { return len(seen) >= 3 && st.LastError == "" })
	if st.state != "running" {
		t.Errorf("site state with healthy backups = %s, want running", st.state)
	}
	ctNoRootProcess(t, cname)
	files := strings.Fields(ctMust(t, "exec", "-u", "www-data", cname, "sh", "-c", "cd /backups && ls *.wpbackup"))
	if len(files) != 2 || len(st.Kept) != 2 {
		t.Errorf("keep 2: the volume holds %v, status says kept %v", files, st.Kept)
	}
	out := filepath.Join(t.TempDir(), "scheduled.wpbackup")
	ctMust(t, "cp", cname+":/backups/"+st.LastFile, out)
	if r := e.mustRun("backup", "verify", out); !strings.Contains(r.stdout, "every checksum matches") {
		t.Errorf("verify of a scheduled all-in-one backup:\n%s", r.stdout)
	}
	if logs := e.mustRun("logs", name).stdout; !strings.Contains(logs, "backup | ") {
		t.Errorf("the backup loop's lines are not in the site's log:\n%.2000s", logs)
	}
	e.mustRun("backup", name, "--every", "off")
	if env := ctInspect(t, cname, "{{.Config.Env}}"); strings.Contains(env, "WPSTACK_BACKUP_EVERY") {
		t.Errorf("--every off left the schedule in the container: %s", env)
	}
}
