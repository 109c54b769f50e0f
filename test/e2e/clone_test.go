//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestClone copies a running site into a staging copy and checks the two
// are independent: own URL, own secrets, search engines discouraged on the
// copy only, and posts on either never reach the other.
func TestClone(t *testing.T) {
	e := newEnv(t)
	name, copyName := siteName("e2e7-cl"), siteName("e2e7-clc")
	e.cleanupSite(name)
	e.cleanupSite(copyName)
	port, copyPort := freePort(t), freePort(t)
	e.mustRun("up", name, "--port", fmt.Sprint(port), "--title", "Clone Source")
	pw := readFile(t, e.status(name).AdminPasswordFile)
	w := newWP(t, port)
	w.newPost("admin", pw, "Written before the clone")

	e.mustFail([]string{"--port", "--domain"}, "clone", name, copyName)
	e.mustFail([]string{"another name"}, "clone", name, name, "--port", fmt.Sprint(copyPort))
	if e.labelled(copyName) != nil {
		t.Fatalf("a refused clone made resources: %v", e.labelled(copyName))
	}

	r := e.mustRun("clone", name, copyName, "--port", fmt.Sprint(copyPort), "--json")
	t.Logf("MEASURE clone: %s", r.took.Round(1e8))
	var res struct {
		Name, URL string
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Name != copyName || !strings.Contains(res.URL, fmt.Sprint(copyPort)) {
		t.Fatalf("clone --json: %v %q", err, r.stdout)
	}
	cpw := readFile(t, e.status(copyName).AdminPasswordFile)
	if cpw == pw {
		t.Errorf("the copy has the source's admin password")
	}
	if sv, cv := secretValues(t, e.home, name), secretValues(t, e.home, copyName); strings.Join(sv, "") == strings.Join(cv, "") {
		t.Errorf("the copy shares the source's secrets")
	}
	cw := newWP(t, copyPort)
	resp, body := cw.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Clone Source") || !strings.Contains(body, "Written before the clone") {
		t.Fatalf("the copy's home page (%s) lacks the source's title or post", resp.Status)
	}
	if strings.Contains(body, fmt.Sprintf("localhost:%d", port)) {
		t.Errorf("the copy's page links to the source's URL: not rewritten")
	}
	if !strings.Contains(body, "noindex") {
		t.Errorf("the copy does not ask search engines to stay away (no noindex robots meta)")
	}
	if _, body := w.get("/"); strings.Contains(body, "noindex") {
		t.Errorf("the source now says noindex: the clone changed it")
	}
	cw.login("admin", cpw)

	cw.newPost("admin", cpw, "Only on the copy")
	w.newPost("admin", pw, "Only on the source")
	if _, body := w.get("/"); strings.Contains(body, "Only on the copy") || !strings.Contains(body, "Only on the source") {
		t.Errorf("the source's home page is not its own alone")
	}
	if _, body := cw.get("/"); strings.Contains(body, "Only on the source") || !strings.Contains(body, "Only on the copy") {
		t.Errorf("the copy's home page is not its own alone")
	}
}
