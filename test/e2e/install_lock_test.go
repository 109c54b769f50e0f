//go:build e2e

package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestInstallLock: no one but wpstack can complete the install of a site it
// manages. The site is made uninstalled again (its tables dropped), as an
// interrupted first `up` would leave it; a visitor's POST to the installer,
// with no key or a wrong one, is refused and installs nothing; the next
// `wpstack up` installs it.
func TestInstallLock(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e-lock")
	port := freePort(t)
	e.cleanupSite(name)
	e.mustRun("up", name, "--port", fmt.Sprint(port), "--title", "Locked Blog")

	bkSQL(t, name, "DROP DATABASE wordpress; CREATE DATABASE wordpress;")
	w := newWP(t, port)
	resp, _ := w.get("/")
	if resp.StatusCode/100 != 3 || !strings.Contains(resp.Header.Get("Location"), "wp-admin/install.php") {
		t.Fatalf("with its tables dropped the site should redirect to the installer; got %s %s", resp.Status, resp.Header.Get("Location"))
	}
	form := url.Values{
		"weblog_title": {"Taken"}, "user_name": {"attacker"}, "admin_password": {"pw-of-the-attacker-1"},
		"admin_password2": {"pw-of-the-attacker-1"}, "admin_email": {"evil@example.com"}, "blog_public": {"1"},
	}
	for _, key := range []string{"", "0000000000000000000000000000000000000000000000000000000000000000"} {
		req := func() (int, string) {
			if key == "" {
				r, body := w.do("POST", "/wp-admin/install.php?step=2", form, nil, "")
				return r.StatusCode, body
			}
			r, body := w.do("POST", "/wp-admin/install.php?step=2", form, nil, "", "X-Wpstack-Install-Key", key)
			return r.StatusCode, body
		}
		code, body := req()
		if code != 403 || !strings.Contains(body, "installed by wpstack") {
			t.Errorf("installer POST with key %q: %d %q, want 403 naming wpstack", key, code, body)
		}
		if r, _ := w.get("/wp-admin/install.php"); r.StatusCode != 403 {
			t.Errorf("installer GET: %s, want 403", r.Status)
		}
	}
	if n := strings.TrimSpace(bkSQL(t, name, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='wordpress'")); n != "0" {
		t.Fatalf("a refused install created %s tables", n)
	}

	e.mustRun("up", name)
	resp, body := w.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "<title>Locked Blog") {
		t.Fatalf("after wpstack up: %s, title missing", resp.Status)
	}
	if users := bkSQL(t, name, "SELECT user_login FROM wp_users"); strings.Contains(users, "attacker") || !strings.Contains(users, "admin") {
		t.Errorf("users after the install: %q", users)
	}
}
