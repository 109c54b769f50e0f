//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestStackAllInOneUpgrade moves an all-in-one site from bookworm to
// trixie: the one container's MariaDB upgrades its data directory as the
// db image does, and a failure part way brings the old site back.
func TestStackAllInOneUpgrade(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e-stk-aio")
	e.cleanupSite(name)
	port := freePort(t)
	cname := name + "-allinone-1"
	e.mustRun("up", name, "--layout", "allinone", "--stack", "bookworm", "--port", fmt.Sprint(port), "--title", "All In One Upgrade")
	wantStack(t, e.stackStatus(name), "bookworm", "6.1.", "8.2.", "10.11.")
	password := readFile(t, e.status(name).AdminPasswordFile)
	w := newWP(t, port)
	w.newPost("admin", password, "Written before the all-in-one upgrade")
	media := w.uploadFile("admin", password, "e2e-aio.txt", "text/plain", []byte("an upload that must survive the upgrade\n"))
	path := media[strings.Index(media, "/wp-content/"):]
	check := func(t *testing.T) {
		t.Helper()
		if resp, body := w.get("/"); resp.StatusCode != 200 || !strings.Contains(body, "Written before the all-in-one upgrade") {
			t.Errorf("home page: %s, post there: %v", resp.Status, strings.Contains(body, "Written before the all-in-one upgrade"))
		}
		if resp, got := w.get(path); resp.StatusCode != 200 || !strings.Contains(got, "must survive") {
			t.Errorf("upload %s: %s", path, resp.Status)
		}
		newWP(t, port).login("admin", password)
	}
	check(t)

	t.Run("a failed upgrade rolls back", func(t *testing.T) {
		failedUpgradeRollsBack(t, e.with(t), name)
		check(t)
	})

	t.Run("upgrade to trixie keeps everything", func(t *testing.T) {
		e := e.with(t)
		r := e.mustRun("upgrade", name)
		t.Logf("MEASURE all-in-one upgrade: %s", r.took)
		st := e.stackStatus(name)
		wantStack(t, st, "trixie", "6.8.", "8.4.", "11.8.")
		e.wantImageSizes(t, st)
		check(t)
		if out := ctMust(t, "exec", "-u", "www-data", cname, "sh", "-c", "ls /var/lib/mysql/data; cat /var/lib/mysql/data/mariadb_upgrade_info"); !strings.Contains(out, "system_mysql_backup_10.11.") || !strings.Contains(out, "11.8.") {
			t.Errorf("the data directory holds no system-table backup or is not marked 11.8:\n%s", out)
		}
	})
}
