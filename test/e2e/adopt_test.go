//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAdoptCourseStacks adopts the course's step 7 file (anonymous volumes,
// running) and its step 8 host-folder variant (stopped: the database is
// started alone for the dump and stopped again), each run by
// docker-compose on the images that stand in for the official ones. The
// adopted site has every post, user and upload at its new address; the
// original is untouched and still serves. A stack adopt does not know is
// refused first, naming what it recognised.
func TestAdoptCourseStacks(t *testing.T) {
	diImages(t)
	e := newEnv(t)

	t.Run("unknown stack", func(t *testing.T) {
		dir := t.TempDir()
		file := diWrite(t, filepath.Join(dir, "docker-compose.yml"), "services:\n  web:\n    image: nginx\n  db:\n    image: wpstack/mariadb\n", 0o644)
		e.with(t).mustFail([]string{"no service of the official wordpress image", "database: db", "not recognised: web (nginx)", "nothing was changed"},
			"adopt", file, "--project", "wpt-i-unknown-"+ctRandom(), "--as", siteName("wpt-i-unk"), "--port", fmt.Sprint(freePort(t)))
		e.with(t).mustFail([]string{"no container carries the compose project label", "nothing was changed"},
			"adopt", "--project", "wpt-i-nothing-"+ctRandom(), "--port", fmt.Sprint(freePort(t)))
	})

	// Step 7 is found by its project label alone, step 8 by its file.
	for _, tc := range []struct {
		file         string
		stop, byFile bool
	}{{"step7.yml", false, false}, {"step8.yml", true, true}} {
		t.Run(strings.TrimSuffix(tc.file, ".yml"), func(t *testing.T) {
			e := e.with(t)
			c := newCompose(t, tc.file)
			c.must("up", "-d")
			c.waitWizard()
			o := &imOfficial{compose: c, prefix: "wp_", admin: "admin", password: "pw-" + ctRandom()}
			diInstall(t, newWP(t, c.port), "wpt-i "+tc.file, o.admin, o.password)
			imContent(t, o, func(sql string) { diSQL(t, c.container("mysql"), "root", "example", "USE wordpress; "+sql) })
			if tc.stop {
				c.must("stop")
			}

			name := siteName("wpt-i-adopt")
			e.cleanupSite(name)
			port := freePort(t)
			args := []string{"adopt", "--project", c.project, "--as", name, "--port", fmt.Sprint(port), "--json"}
			if tc.byFile {
				args = append(args, filepath.Join(c.dir, "docker-compose.yml"))
			}
			r := e.mustRun(args...)
			res := struct {
				imResult
				Remove string `json:"remove_original"`
				Stack  struct {
					Web struct{ Container string } `json:"web"`
					DB  struct{ Container string } `json:"db"`
				} `json:"stack"`
			}{}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("--json output: %v\n%s", err, r.stdout)
			}
			t.Logf("adopt took %s: %+v", r.took, res.Found)
			if res.Stack.Web.Container != c.container("wordpress") || res.Stack.DB.Container != c.container("mysql") {
				t.Errorf("adopt recognised %+v, want the wordpress and mysql services", res.Stack)
			}
			if !strings.Contains(res.Remove, "docker-compose -p "+c.project) {
				t.Errorf("the output does not say how to remove the original: %q", res.Remove)
			}
			if res.Found.Posts != 4 || res.Found.Users != 2 || res.Found.Uploads < 1 {
				t.Errorf("adopt found %+v, want 4 published posts, 2 users, the upload", res.Found)
			}
			imCheck(t, e, name, port, o)

			if tc.stop {
				for _, s := range []string{"wordpress", "mysql"} {
					if st := ctInspect(t, c.container(s), "{{.State.Status}}"); st != "exited" {
						t.Errorf("%s is %s after adopt, want it stopped again as it was", c.container(s), st)
					}
				}
				c.must("start")
			}
			// The original serves its own posts at its own address.
			for id, title := range o.posts {
				diWaitHTTP(t, c.url("/?p="+id), 2*time.Minute, func(code int, _, body string) bool {
					return code == http.StatusOK && strings.Contains(body, title)
				})
			}
			newWP(t, c.port).login(o.admin, o.password)
		})
	}
}
