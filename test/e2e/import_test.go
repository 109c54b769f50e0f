//go:build e2e

package e2e

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/images/wpsource"
)

// The official-image stack of the course (step 7) as the bench builds it:
// bench/baseline's recipes (the official wordpress and mariadb images'
// behaviour, rebuilt from Debian packages) under wpt-i/* tags, run by
// docker-compose and installed through the browser wizard.
const (
	imWebImage = "wpt-i/wordpress:e2e"
	imDBImage  = "wpt-i/mariadb:e2e"
	imDBRoot   = "root-pw-e2e"
)

var (
	imOnce sync.Once
	imErr  error
)

func imBaselineImages(t *testing.T) {
	t.Helper()
	imOnce.Do(func() {
		work, err := os.MkdirTemp("", "wpt-i-ctx")
		if err != nil {
			imErr = err
			return
		}
		defer os.RemoveAll(work)
		// The tree `wpstack up --wordpress-source debian` serves (with its
		// default themes), from the machine's shared cache, as the bench
		// builds its baseline.
		cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
		if err != nil {
			imErr = err
			return
		}
		defer cli.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		src, err := wpsource.Resolve(ctx, wpsource.Options{Spec: "debian", Engine: cli})
		if err != nil {
			imErr = err
			return
		}
		tree := src.Dir
		for _, img := range []struct{ dir, tag string }{{"db", imDBImage}, {"web", imWebImage}} {
			dst := filepath.Join(work, "baseline-"+img.dir)
			if err := ctCopy(filepath.Join("..", "..", "bench", "baseline", img.dir), dst); err != nil {
				imErr = err
				return
			}
			if img.dir == "web" {
				if err := ctCopy(tree, filepath.Join(dst, "wordpress")); err != nil {
					imErr = err
					return
				}
			}
			if imErr = ctDockerBuild(img.tag, dst); imErr != nil {
				return
			}
		}
	})
	if imErr != nil {
		t.Fatal(imErr)
	}
}

const imCompose = `version: "3"
services:
  wordpress:
    image: ` + imWebImage + `
    restart: always
    ports:
      - "127.0.0.1:%d:80"
    environment:
      WORDPRESS_DB_HOST: db
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_PASSWORD: wp-pw-e2e
      WORDPRESS_DB_NAME: wordpress
      WORDPRESS_TABLE_PREFIX: %s
    volumes:
      - html:/var/www/html
  db:
    image: ` + imDBImage + `
    restart: always
    environment:
      MARIADB_DATABASE: wordpress
      MARIADB_USER: wordpress
      MARIADB_PASSWORD: wp-pw-e2e
      MARIADB_ROOT_PASSWORD: ` + imDBRoot + `
    volumes:
      - db:/var/lib/mysql
volumes:
  html: {}
  db: {}
`

// imOfficial is a running, installed official-image site with content.
type imOfficial struct {
	*compose
	prefix, admin, password string
	posts                   map[string]string // ID -> title
	upload                  string            // path of an upload
	uploadData              []byte
	editor, editorPassword  string
}

// imStack starts the stack with table prefix prefix and installs WordPress
// through its wizard; then adds posts, an upload and a second user.
func imStack(t *testing.T, prefix string) *imOfficial {
	t.Helper()
	imBaselineImages(t)
	c := &compose{t: t, dir: t.TempDir(), project: "wpt-i-" + ctRandom(), port: freePort(t)}
	diWrite(t, filepath.Join(c.dir, "docker-compose.yml"), fmt.Sprintf(imCompose, c.port, prefix), 0o644)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := c.run("logs", "--no-color", "--tail=60")
			t.Logf("compose logs of %s:\n%s", c.project, out)
		}
		if out, err := c.run("down", "-v"); err != nil {
			t.Errorf("docker-compose down -v: %v\n%s", err, out)
		}
	})
	c.must("up", "-d")
	o := &imOfficial{compose: c, prefix: prefix, admin: "owner", password: "Orig-Pass-" + ctRandom()}
	imWizard(t, c.port, "Official Blog", o.admin, o.password)
	imContent(t, o, func(sql string) { imSQL(t, c.container("db"), sql) })
	return o
}

// imContent adds posts, an upload, a second user and a serialized option
// holding the site's URL to an installed site, through sql for what
// WordPress's API cannot do.
func imContent(t *testing.T, o *imOfficial, sql func(string)) {
	t.Helper()
	o.posts = map[string]string{}
	o.editor, o.editorPassword = "editor7", "Editor-Pass-"+ctRandom()
	w := newWP(t, o.port)
	for i := 1; i <= 3; i++ {
		title := fmt.Sprintf("Official post %d %s", i, ctRandom())
		o.posts[w.newPost(o.admin, o.password, title)] = title
	}
	o.uploadData = bytes.Repeat([]byte("official upload\n"), 2000)
	u := w.uploadFile(o.admin, o.password, "wpt-i-photo.txt", "text/plain", o.uploadData)
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	o.upload = pu.Path
	// The second user as an admin's "Add New" would make it (WordPress
	// accepts an MD5 hash once and rehashes it at the first login).
	old := fmt.Sprintf("http://localhost:%d", o.port)
	ser := fmt.Sprintf(`a:1:{s:3:"url";s:%d:"%s";}`, len(old+"/x"), old+"/x")
	sql(fmt.Sprintf(`INSERT INTO %[1]susers (user_login, user_pass, user_nicename, user_email, user_registered, display_name) VALUES ('%[2]s', MD5('%[3]s'), '%[2]s', '%[2]s@example.com', NOW(), '%[2]s');
INSERT INTO %[1]susermeta (user_id, meta_key, meta_value) SELECT ID, '%[1]scapabilities', 'a:1:{s:6:"editor";b:1;}' FROM %[1]susers WHERE user_login='%[2]s';
INSERT INTO %[1]soptions (option_name, option_value, autoload) VALUES ('wpt_serialized', '%[4]s', 'no');`, o.prefix, o.editor, o.editorPassword, ser))
}

// imWizard installs WordPress through wp-admin/install.php, as a person would.
func imWizard(t *testing.T, port int, title, user, password string) {
	t.Helper()
	w := newWP(t, port)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, body := imTry(w, "/wp-admin/install.php")
		if resp != nil && resp.StatusCode == 200 && strings.Contains(body, "weblog_title") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the installer at port %d did not show its form", port)
		}
		time.Sleep(time.Second)
	}
	resp, body := w.do("POST", "/wp-admin/install.php?step=2", url.Values{"weblog_title": {title}, "user_name": {user},
		"admin_password": {password}, "admin_password2": {password}, "pw_weak": {"1"}, "admin_email": {"owner@example.com"},
		"blog_public": {"1"}, "Submit": {"Install WordPress"}}, nil, "")
	if resp.StatusCode != 200 || !strings.Contains(body, "wp-login.php") {
		t.Fatalf("the installer answered %s: %.400s", resp.Status, body)
	}
}

// imTry is a GET that tolerates a server not up yet.
func imTry(w *wp, path string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", w.port, path), nil)
	req.Host = w.host
	resp, err := w.c.Do(req)
	if err != nil {
		return nil, ""
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp, b.String()
}

// imSQL runs SQL as root in an official-image database container.
func imSQL(t *testing.T, ctr, sql string) string {
	t.Helper()
	cmd := exec.Command("docker", "exec", "-i", "-e", "MYSQL_PWD="+imDBRoot, ctr, "mariadb", "-uroot", "-N", "-B", "wordpress")
	cmd.Stdin = strings.NewReader(sql)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("SQL in %s: %v: %s", ctr, err, out)
	}
	return string(out)
}

// imCheck checks that a wpstack site has every post, user and upload of o,
// at its own address.
func imCheck(t *testing.T, e *env, name string, port int, o *imOfficial) {
	t.Helper()
	w := newWP(t, port)
	for id, title := range o.posts {
		resp, body := w.get("/?p=" + id)
		if resp.StatusCode != 200 || !strings.Contains(body, title) {
			t.Errorf("post %s (%q): %s", id, title, resp.Status)
		}
	}
	resp, body := w.get(o.upload)
	if resp.StatusCode != 200 || body != string(o.uploadData) {
		t.Errorf("upload %s: %s, %d bytes (want %d)", o.upload, resp.Status, len(body), len(o.uploadData))
	}
	resp, body = w.get("/")
	newURL := fmt.Sprintf("http://localhost:%d", port)
	if resp.StatusCode != 200 || !strings.Contains(body, newURL) || strings.Contains(body, fmt.Sprintf("localhost:%d", o.port)) {
		t.Errorf("home page of %s: %s; links to %s: %v, to the old port: %v", name, resp.Status, newURL, strings.Contains(body, newURL), strings.Contains(body, fmt.Sprintf("localhost:%d", o.port)))
	}
	w.login(o.admin, o.password)
	newWP(t, port).login(o.editor, o.editorPassword)
	want := fmt.Sprintf(`a:1:{s:3:"url";s:%d:"%s";}`, len(newURL+"/x"), newURL+"/x")
	if got := strings.TrimSpace(bkSQL(t, name, "SELECT option_value FROM "+o.prefix+"options WHERE option_name='wpt_serialized'")); got != want {
		t.Errorf("serialized option: %q, want %q", got, want)
	}
}

// imDump writes the stack's database as mariadb-dump makes it, gzipped.
func imDump(t *testing.T, o *imOfficial, path string) {
	t.Helper()
	cmd := exec.Command("docker", "exec", "-e", "MYSQL_PWD="+imDBRoot, o.container("db"), "mariadb-dump", "-uroot", "--single-transaction", "wordpress")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("mariadb-dump: %v: %s", err, errb.String())
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(out.Bytes())
	zw.Close()
	if err := os.WriteFile(path, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

type imResult struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Created     bool   `json:"created"`
	RewroteFrom string `json:"rewrote_from"`
	Found       struct {
		Prefix           string `json:"table_prefix"`
		Charset          string `json:"charset"`
		WordPressVersion string `json:"wordpress_version"`
		Tables           int    `json:"tables"`
		Posts            int    `json:"posts"`
		Users            int    `json:"users"`
		Uploads          int    `json:"uploads"`
		UploadsBytes     int64  `json:"uploads_bytes"`
		OldURL           string `json:"old_url"`
	} `json:"found"`
}

func imParse(t *testing.T, out string) imResult {
	t.Helper()
	var r imResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	return r
}

// TestImportOfficialStack brings a site of the official images (a
// non-default table prefix, installed by its wizard) into a new wpstack
// site at another address, from its mariadb-dump and wp-content; a zip
// that leaves wp-content is refused first, with nothing made.
func TestImportOfficialStack(t *testing.T) {
	e := newEnv(t)
	o := imStack(t, "blog7_")
	dir := t.TempDir()
	dumpFile := filepath.Join(dir, "dump.sql.gz")
	imDump(t, o, dumpFile)
	ctMust(t, "cp", o.container("wordpress")+":/var/www/html/wp-content", dir)
	content := filepath.Join(dir, "wp-content")

	name := siteName("wpt-i-imp")
	e.cleanupSite(name)
	port := freePort(t)

	// Hostile: a zip with a member leaving wp-content.
	evil := filepath.Join(dir, "evil.zip")
	{
		f, _ := os.Create(evil)
		zw := zip.NewWriter(f)
		for _, n := range []string{"uploads/ok.txt", "../../../tmp/wpt-i-escaped"} {
			w, _ := zw.Create(n)
			w.Write([]byte("x"))
		}
		zw.Close()
		f.Close()
	}
	r := e.mustFail([]string{"wpt-i-escaped", "only wp-content", "nothing was changed"}, "import", name, "--db", dumpFile, "--files", evil, "--port", fmt.Sprint(port))
	if left := e.labelled(name); len(left) > 0 {
		t.Fatalf("a refused import left resources behind: %v", left)
	}
	if _, err := os.Stat(filepath.Join(e.home, "sites", name)); err == nil {
		t.Fatalf("a refused import left the site's state behind (%s)", r.stderr)
	}

	r = e.mustRun("import", name, "--db", dumpFile, "--files", content, "--port", fmt.Sprint(port), "--json")
	res := imParse(t, r.stdout)
	t.Logf("import took %s: %+v", r.took, res.Found)
	oldURL := fmt.Sprintf("http://localhost:%d", o.port)
	if !res.Created || res.Found.Prefix != "blog7_" || res.Found.Charset != "utf8mb4" || res.Found.OldURL != oldURL || res.RewroteFrom != oldURL ||
		res.Found.Posts != 4 || res.Found.Users != 2 || res.Found.Uploads < 1 || res.Found.UploadsBytes < int64(len(o.uploadData)) || res.Found.Tables < 12 ||
		!strings.Contains(res.Found.WordPressVersion, "6.") {
		t.Errorf("import found %+v (created %v, rewrote from %q), want prefix blog7_, utf8mb4, %s, 4 published posts (3 and Hello world), 2 users, the upload", res.Found, res.Created, res.RewroteFrom, oldURL)
	}
	if spec := readFile(t, filepath.Join(e.home, "sites", name, "site.yaml")); !strings.Contains(spec, "table_prefix: blog7_") {
		t.Errorf("site.yaml does not keep the dump's prefix:\n%s", spec)
	}
	imCheck(t, e, name, port, o)

	// Again into the same site (--yes), giving the owner a new password:
	// a safety backup first, every other user keeps theirs.
	e.mustFail([]string{"already exists", "--yes"}, "import", name, "--db", dumpFile, "--files", content)
	r = e.mustRun("import", name, "--db", dumpFile, "--files", content, "--yes", "--admin-user", o.admin, "--json")
	var again struct {
		SafetyBackup      string `json:"safety_backup"`
		AdminPasswordFile string `json:"admin_password_file"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &again); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(again.SafetyBackup); err != nil {
		t.Errorf("no safety backup before importing into the existing site: %v (%s)", err, r.stdout)
	}
	w := newWP(t, port)
	w.login(o.admin, readFile(t, again.AdminPasswordFile))
	newWP(t, port).login(o.editor, o.editorPassword)

	// A backup of the imported site restores into a new site, which takes
	// the backup's table prefix.
	archive := filepath.Join(dir, "imported.wpbackup")
	e.mustRun("backup", name, "-o", archive)
	copyName, copyPort := siteName("wpt-i-copy"), freePort(t)
	e.cleanupSite(copyName)
	e.mustRun("restore", copyName, archive, "--port", fmt.Sprint(copyPort))
	if spec := readFile(t, filepath.Join(e.home, "sites", copyName, "site.yaml")); !strings.Contains(spec, "table_prefix: blog7_") {
		t.Errorf("the restored copy does not take the backup's prefix:\n%s", spec)
	}
	for id, title := range o.posts {
		if resp, body := newWP(t, copyPort).get("/?p=" + id); resp.StatusCode != 200 || !strings.Contains(body, title) {
			t.Errorf("restored copy, post %s: %s", id, resp.Status)
		}
	}

	if resp, _ := imTry(newWP(t, o.port), "/"); resp == nil || resp.StatusCode != 200 {
		t.Errorf("the original site no longer serves")
	}
}
