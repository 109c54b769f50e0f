//go:build e2e

package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// stackStatus is the part of status --json about a site's stack.
type stackStatus struct {
	State            string `json:"state"`
	WordPressVersion string `json:"wordpress_version"`
	Stack            string `json:"stack"`
	PHPVersion       string `json:"php_version"`
	MariaDBVersion   string `json:"mariadb_version"`
	UpgradeAvailable string `json:"upgrade_available"`
	Services         []struct {
		Name  string `json:"name"`
		Image string `json:"image"`
	} `json:"services"`
}

// wantImageSizes holds a site's images to the 300 MB budget, on every stack.
func (e *env) wantImageSizes(t *testing.T, st stackStatus) {
	t.Helper()
	for _, sv := range st.Services {
		img, err := e.cli.ImageInspect(context.Background(), sv.Image)
		if err != nil {
			t.Fatalf("inspect %s: %v", sv.Image, err)
		}
		t.Logf("%s stack, %s image %s: %.1f MB", st.Stack, sv.Name, sv.Image, float64(img.Size)/1e6)
		if img.Size > 300e6 {
			t.Errorf("%s image %s is %.1f MB, over the 300 MB budget", sv.Name, sv.Image, float64(img.Size)/1e6)
		}
	}
}

func (e *env) stackStatus(name string) stackStatus {
	e.t.Helper()
	r := e.mustRun("status", name, "--json")
	var st stackStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		e.t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	return st
}

// wantStack checks a site's stack and the versions it runs, by prefix.
func wantStack(t *testing.T, st stackStatus, stack, wp, php, mariadb string) {
	t.Helper()
	if st.State != "running" || st.Stack != stack || !strings.HasPrefix(st.WordPressVersion, wp) ||
		!strings.HasPrefix(st.PHPVersion, php) || !strings.HasPrefix(st.MariaDBVersion, mariadb) {
		t.Fatalf("status: %+v; want running, stack %s, WordPress %s*, PHP %s*, MariaDB %s*", st, stack, wp, php, mariadb)
	}
}

// stPHP runs PHP with WordPress loaded in a site's web container, with the
// secret copies PID 1 made; WordPress's errors exit 0, so the code's end
// is checked for.
func stPHP(t *testing.T, siteName, code string) string {
	t.Helper()
	out := ctMust(t, "exec", "-u", "www-data", "-w", "/var/www/html",
		"-e", "WORDPRESS_DB_PASSWORD_FILE=/run/wpstack/secrets/WORDPRESS_DB_PASSWORD",
		"-e", "WPSTACK_SALTS_FILE=/run/wpstack/secrets/WPSTACK_SALTS",
		siteName+"-web-1", "php", "-r",
		`$_SERVER['HTTP_HOST']='localhost'; require '/var/www/html/wp-load.php'; `+code+` echo "\nE2E-PHP-DONE";`)
	if !strings.Contains(out, "E2E-PHP-DONE") {
		t.Fatalf("PHP in %s did not finish: %.600s", siteName, out)
	}
	return out
}

// failedUpgradeRollsBack makes a bookworm site's upgrade fail in the new
// db image's MariaDB upgrade, and checks the site came back on bookworm
// with no copy of its data left behind.
func failedUpgradeRollsBack(t *testing.T, e *env, name string) {
	t.Helper()
	f := *e
	f.extra = append(append([]string(nil), e.extra...), "WPSTACK_TEST_UPGRADE_FAIL=db")
	r := f.mustFail([]string{"failed at starting the trixie stack", "rolled back", "bookworm"}, "upgrade", name)
	t.Logf("MEASURE forced upgrade failure and rollback: %s", r.took)
	wantStack(t, e.stackStatus(name), "bookworm", "6.1.", "8.2.", "10.11.")
	for _, v := range e.labelled(name) {
		if strings.Contains(v, "pre-upgrade") {
			t.Errorf("a rolled-back upgrade left %s", v)
		}
	}
}

// stState is bkState with wp_options compared row by row, leaving out the
// cron schedule and transients a serving WordPress rewrites on its own.
func stState(t *testing.T, siteName string) []string {
	t.Helper()
	var out []string
	for _, l := range bkState(t, siteName) {
		if !strings.HasPrefix(l, "table wordpress.wp_options\t") {
			out = append(out, l)
		}
	}
	rows := bkSQL(t, siteName, "SELECT option_name, MD5(option_value) FROM wp_options WHERE option_name NOT LIKE '%transient%' AND option_name <> 'cron' ORDER BY option_name")
	for _, l := range strings.Split(strings.TrimSpace(rows), "\n") {
		out = append(out, "option "+l)
	}
	sort.Strings(out)
	return out
}

// pluginZip is a real plugin as a user downloads it: one folder in a zip.
func pluginZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("e2e-stack-plugin/e2e-stack-plugin.php")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "<?php\n/*\nPlugin Name: E2E Stack Plugin\nVersion: 1.0\n*/\nadd_action('wp_footer', function () { echo '<!-- e2e-stack-plugin active -->'; });\n")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStack: a new site gets the trixie stack; a bookworm site with
// content is upgraded in place, and a failure part way brings it back.
func TestStack(t *testing.T) {
	e := newEnv(t)

	t.Run("a new site runs trixie", func(t *testing.T) {
		e := e.with(t)
		name := siteName("e2e-stk-new")
		e.cleanupSite(name)
		port := freePort(t)
		e.mustRun("up", name, "--port", fmt.Sprint(port))
		st := e.stackStatus(name)
		wantStack(t, st, "trixie", "6.8.", "8.4.", "11.8.")
		if st.UpgradeAvailable != "" {
			t.Errorf("a trixie site is offered an upgrade to %s", st.UpgradeAvailable)
		}
		e.wantImageSizes(t, st)
		w := newWP(t, port)
		w.login("admin", readFile(t, e.status(name).AdminPasswordFile))
		if _, body := w.get("/"); !strings.Contains(body, "/wp-content/themes/twentytwentyfive/") {
			t.Errorf("the home page is not drawn by twentytwentyfive")
		}
		if got := ctMust(t, "exec", name+"-web-1", "php", "-r", "echo ini_get('opcache.enable');"); strings.TrimSpace(got) != "1" {
			t.Errorf("opcache.enable = %q", got)
		}
		e.mustRun("destroy", name, "--yes")
	})

	name := siteName("e2e-stk-up")
	e.cleanupSite(name)
	port := freePort(t)
	r := e.mustRun("up", name, "--port", fmt.Sprint(port), "--stack", "bookworm", "--title", "Stack Upgrade")
	bst := e.stackStatus(name)
	wantStack(t, bst, "bookworm", "6.1.", "8.2.", "10.11.")
	if bst.UpgradeAvailable != "trixie" {
		t.Errorf("status of a bookworm site offers %q, want trixie", bst.UpgradeAvailable)
	}
	e.wantImageSizes(t, bst)
	r = e.mustRun("up", name)
	if !strings.Contains(r.stdout, "upgrade available: wpstack upgrade "+name+" --to trixie") {
		t.Errorf("up on a bookworm site does not offer the upgrade:\n%s", r.stdout)
	}
	e.mustFail([]string{"up never changes a site's stack", "wpstack upgrade " + name}, "up", name, "--stack", "trixie")

	// Content of every kind a site has.
	password := readFile(t, e.status(name).AdminPasswordFile)
	w := newWP(t, port)
	w.newPost("admin", password, "Written before the upgrade")
	media := w.uploadFile("admin", password, "e2e-stack.txt", "text/plain", []byte("an upload that must survive the upgrade\n"))
	stPHP(t, name, `$id = wp_create_user('editor1', 'Editor-Pass-1', 'editor1@example.com'); if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }`)
	// The root is read-only: the zip reaches the container's /tmp through PHP.
	stPHP(t, name, `file_put_contents('/tmp/plugin.zip', base64_decode('`+base64.StdEncoding.EncodeToString(pluginZip(t))+`')) or exit(1);`)
	stPHP(t, name, `require_once ABSPATH.'wp-admin/includes/plugin.php'; $z = new ZipArchive(); if ($z->open('/tmp/plugin.zip') !== true || !$z->extractTo(WP_PLUGIN_DIR)) exit(1); $r = activate_plugin('e2e-stack-plugin/e2e-stack-plugin.php'); if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message()); exit(1); }`)
	ctMust(t, "exec", "-u", "www-data", name+"-web-1", "sh", "-c",
		"mkdir -p /var/www/html/wp-content/themes/e2e-child && printf '/*\\nTheme Name: E2E Child\\nTemplate: twentytwentythree\\n*/\\n' > /var/www/html/wp-content/themes/e2e-child/style.css")
	stPHP(t, name, `switch_theme('e2e-child');`)
	checkContent := func(t *testing.T) {
		t.Helper()
		resp, body := w.get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Written before the upgrade") || !strings.Contains(body, "e2e-stack-plugin active") {
			t.Errorf("home page: %s, post there: %v, plugin active: %v", resp.Status, strings.Contains(body, "Written before the upgrade"), strings.Contains(body, "e2e-stack-plugin active"))
		}
		if !strings.Contains(body, "/wp-content/themes/twentytwentythree/") {
			t.Errorf("the home page is not drawn by the child of twentytwentythree")
		}
		path := media[strings.Index(media, "/wp-content/"):]
		if resp, got := w.get(path); resp.StatusCode != 200 || !strings.Contains(got, "must survive") {
			t.Errorf("upload %s: %s", path, resp.Status)
		}
		if got := strings.TrimSpace(bkSQL(t, name, "SELECT option_value FROM wp_options WHERE option_name='stylesheet'")); got != "e2e-child" {
			t.Errorf("stylesheet = %q, want e2e-child", got)
		}
		if got := strings.TrimSpace(bkSQL(t, name, "SELECT user_email FROM wp_users WHERE user_login='editor1'")); got != "editor1@example.com" {
			t.Errorf("user editor1: %q", got)
		}
		newWP(t, port).login("admin", password)
		newWP(t, port).login("editor1", "Editor-Pass-1")
	}
	checkContent(t)
	before := stState(t, name)

	t.Run("a failed upgrade rolls back", func(t *testing.T) {
		e := e.with(t)
		failedUpgradeRollsBack(t, e, name)
		if got := stState(t, name); bkDiff(before, got) != "" {
			t.Errorf("the rolled-back site differs from the one before the upgrade:\n%s", bkDiff(before, got))
		}
		checkContent(t)
	})

	t.Run("upgrade to trixie keeps everything", func(t *testing.T) {
		e := e.with(t)
		r := e.mustRun("upgrade", name)
		t.Logf("upgrade took %s:\n%s", r.took, r.stdout)
		for _, want := range []string{"upgraded from bookworm to trixie", "MariaDB:        10.11.", "-> 11.8.", "Safety backup:"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("upgrade output lacks %q", want)
			}
		}
		st := e.stackStatus(name)
		wantStack(t, st, "trixie", "6.8.", "8.4.", "11.8.")
		if st.UpgradeAvailable != "" {
			t.Errorf("upgraded site still offered %s", st.UpgradeAvailable)
		}
		checkContent(t)
		if out := ctMust(t, "exec", "-u", "mysql", name+"-db-1", "sh", "-c", "ls /var/lib/mysql/data; cat /var/lib/mysql/data/mariadb_upgrade_info"); !strings.Contains(out, "system_mysql_backup_10.11.") || !strings.Contains(out, "11.8.") {
			t.Errorf("the data directory holds no system-table backup or is not marked 11.8:\n%s", out)
		}
		e.mustFail([]string{"already runs the trixie stack"}, "upgrade", name)
	})
}
