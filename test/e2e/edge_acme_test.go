//go:build e2e

package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pebbleVersion is the Pebble the suite builds: Let's Encrypt's ACME test
// server and its DNS/challenge companion, from the module proxy.
const pebbleVersion = "v2.10.3"

// pebbleValidity is how long Pebble's certificates last in the test: more
// than the 30 days before expiry when wpstack renews, so a fresh one is
// not due, and less than 60, so --renew-before 60d makes it due.
const pebbleValidity = 40 * 24 * time.Hour

type pebble struct {
	dir    string // the ACME directory URL
	caFile string // the root of Pebble's own HTTPS (its test "minica")
	roots  *x509.CertPool
	mgmt   string // pebble-challtestsrv's management URL
}

// startPebble builds Pebble and pebble-challtestsrv (pinned, into a temp
// dir) and starts them on 127.0.0.1: the challenge server as Pebble's DNS,
// answering only the names the test adds, and Pebble validating HTTP-01 on
// httpPort, the edge's. It fails the test loudly when either cannot be
// built or started.
func startPebble(t *testing.T, httpPort int) *pebble {
	t.Helper()
	bin := t.TempDir()
	goEnv := append(os.Environ(), "GOBIN="+bin, "GOWORK=off", "GOFLAGS=", "CGO_ENABLED=0")
	build := exec.Command("go", "install", "github.com/letsencrypt/pebble/v2/cmd/pebble@"+pebbleVersion, "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@"+pebbleVersion)
	build.Env, build.Dir = goEnv, bin
	start := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build Pebble %s (needs the Go module proxy): %v\n%s", pebbleVersion, err, out)
	}
	t.Logf("built Pebble %s in %s", pebbleVersion, time.Since(start).Round(time.Second))
	dl := exec.Command("go", "mod", "download", "-json", "github.com/letsencrypt/pebble/v2@"+pebbleVersion)
	dl.Env, dl.Dir = goEnv, bin
	out, err := dl.Output()
	if err != nil {
		t.Fatalf("locate Pebble's module: %v", err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("locate Pebble's module: %v %s", err, out)
	}
	certs := filepath.Join(mod.Dir, "test", "certs")

	dnsPort, mgmtPort, acmePort, pebbleMgmt, unused := freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)
	run := func(name string, env []string, args ...string) {
		logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			if t.Failed() {
				b, _ := os.ReadFile(logf.Name())
				t.Logf("%s log:\n%s", name, tail(string(b), 40))
			}
			logf.Close()
		})
	}
	run("pebble-challtestsrv", nil, "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort), "-management", fmt.Sprintf("127.0.0.1:%d", mgmtPort),
		"-defaultIPv4", "", "-defaultIPv6", "", "-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "")
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress": fmt.Sprintf("127.0.0.1:%d", acmePort), "managementListenAddress": fmt.Sprintf("127.0.0.1:%d", pebbleMgmt),
		"certificate": filepath.Join(certs, "localhost", "cert.pem"), "privateKey": filepath.Join(certs, "localhost", "key.pem"),
		"httpPort": httpPort, "tlsPort": unused, "ocspResponderURL": "", "externalAccountBindingRequired": false,
		"keyAlgorithm": "ecdsa",
		"profiles":     map[string]any{"default": map[string]any{"description": "wpstack e2e", "validityPeriod": int(pebbleValidity.Seconds())}},
	}}
	cb, _ := json.Marshal(conf)
	confFile := filepath.Join(t.TempDir(), "pebble.json")
	if err := os.WriteFile(confFile, cb, 0o600); err != nil {
		t.Fatal(err)
	}
	run("pebble", []string{"PEBBLE_VA_NOSLEEP=1"}, "-config", confFile, "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort))

	p := &pebble{dir: fmt.Sprintf("https://127.0.0.1:%d/dir", acmePort), caFile: filepath.Join(certs, "pebble.minica.pem"),
		mgmt: fmt.Sprintf("http://127.0.0.1:%d", mgmtPort)}
	minica := x509.NewCertPool()
	if !minica.AppendCertsFromPEM([]byte(readFile(t, p.caFile))) {
		t.Fatalf("%s holds no certificate", p.caFile)
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: minica}}}
	// Pebble's root is made anew at each start: fetched from its management endpoint.
	var root []byte
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := hc.Get(fmt.Sprintf("https://127.0.0.1:%d/roots/0", pebbleMgmt))
		if err == nil {
			root, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if r2, err := hc.Get(p.dir); err == nil {
					r2.Body.Close()
					if _, err := http.Post(p.mgmt+"/clear-a", "application/json", strings.NewReader(`{"host":"ready.test"}`)); err == nil {
						break
					}
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pebble or pebble-challtestsrv does not answer after a minute: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.roots = x509.NewCertPool()
	if !p.roots.AppendCertsFromPEM(root) {
		t.Fatalf("Pebble's root is not PEM: %.200q", root)
	}
	return p
}

// pointHere makes the challenge server answer name's A queries with the loopback address.
func (p *pebble) pointHere(t *testing.T, name string) {
	t.Helper()
	resp, err := http.Post(p.mgmt+"/add-a", "application/json", strings.NewReader(fmt.Sprintf(`{"host":%q,"addresses":["127.0.0.1"]}`, name)))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("add an A record for %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
}

// servedSerial is the serial of the certificate the edge presents for
// name, verified against roots.
func servedSerial(t *testing.T, httpsPort int, name string, roots *x509.CertPool) string {
	t.Helper()
	c, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", httpsPort), &tls.Config{ServerName: name, RootCAs: roots, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS to the edge as %s, verified with Pebble's root: %v", name, err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.Text(16)
}

// TestEdgeACME gets a site's certificate from Pebble over HTTP-01 answered
// by the edge, serves it, renews it through the same running edge, and
// refuses a name that does not point here with nothing made.
func TestEdgeACME(t *testing.T) {
	e := newEnv(t)
	requireNoForeignEdge(t, e)
	cleanupEdge(t, e)
	httpPort, httpsPort := freePort(t), freePort(t)
	pb := startPebble(t, httpPort)
	e.extra = append(e.extra, "WPSTACK_ACME_CA_FILE="+pb.caFile)
	tag := ctRandom()[:6]
	name, title := siteName("acme"), "Acme "+tag
	names := []string{"acme-" + tag + ".test", "www.acme-" + tag + ".test"}
	for _, n := range names {
		pb.pointHere(t, n)
	}
	acmeArgs := []string{"--tls", "acme", "--acme-email", "me@example.com", "--acme-directory", pb.dir,
		"--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort)}
	certFile := func(site string) string { return filepath.Join(e.home, "edge", "conf", "certs", site+".crt") }

	t.Run("a name that does not point here is refused, nothing made", func(t *testing.T) {
		e := e.with(t)
		bad, badName := siteName("acmx"), "nothere-"+tag+".test"
		e.cleanupSite(bad)
		r := e.mustFail([]string{badName, "does not resolve for the CA", "could not resolve", "A (or AAAA) record"},
			append([]string{"up", bad, "--domain", badName}, acmeArgs...)...)
		if i := strings.LastIndex(r.stderr, "error:"); i >= 0 {
			t.Logf("the refusal: %s", strings.TrimSpace(r.stderr[i:]))
		}
		if strings.Contains(r.stderr+r.stdout, "PRIVATE KEY") {
			t.Error("a key reached the output")
		}
		if got := e.labelled(bad); len(got) != 0 {
			t.Errorf("the refused up left resources: %v", got)
		}
		if ok, _ := edgeState(t, e); ok {
			t.Error("the refused up left the edge it started for the challenge")
		}
		if _, err := os.Stat(certFile(bad)); err == nil {
			t.Error("the refused up left a certificate")
		}
		if out := e.run("status", bad); out.code == 0 {
			t.Errorf("the refused site exists: %s", out)
		}
	})

	e.cleanupSite(name)
	e.mustRun(append([]string{"up", name, "--domain", names[0], "--domain", names[1], "--title", title}, acmeArgs...)...)
	h := newEdgeHTTP(t, pb.roots, httpPort, httpsPort, false)
	for _, n := range names {
		resp, body := h.must("GET", h.url("https", n, "/"), nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(titleOf(body), title) {
			t.Fatalf("https://%s/ with Pebble's certificate: %s, title %q", n, resp.Status, titleOf(body))
		}
	}
	t.Run("keys are 0600 and HTTP redirects except the challenges", func(t *testing.T) {
		accounts, _ := filepath.Glob(filepath.Join(e.home, "edge", "acme", "*", "account.key"))
		if len(accounts) != 1 {
			t.Fatalf("ACME account keys: %v, want one", accounts)
		}
		for _, f := range append(accounts, filepath.Join(e.home, "edge", "conf", "certs", name+".key")) {
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v, want mode 0600", f, fi, err)
			}
		}
		resp, _ := h.must("GET", h.url("http", names[1], "/page"), nil, nil)
		if resp.StatusCode != 301 || resp.Header.Get("Location") != fmt.Sprintf("https://%s:%d/page", names[1], httpsPort) {
			t.Errorf("http://%s/page: %s → %q", names[1], resp.Status, resp.Header.Get("Location"))
		}
		resp, _ = h.must("GET", h.url("http", names[0], "/.well-known/acme-challenge/none"), nil, nil)
		if resp.StatusCode != 404 {
			t.Errorf("a missing challenge token: %s, want 404 (not a redirect)", resp.Status)
		}
	})

	edgeStart := func() (string, string) {
		_, c := edgeState(t, e)
		return c.ID, c.State.StartedAt
	}
	id, started := edgeStart()
	serial := servedSerial(t, httpsPort, names[0], pb.roots)
	type renewed struct {
		Site       string    `json:"site"`
		Renewed    bool      `json:"renewed"`
		CertExpiry time.Time `json:"cert_expiry"`
		Error      string    `json:"error"`
	}
	renew := func(args ...string) renewed {
		t.Helper()
		var rs []renewed
		out := e.mustRun(append([]string{"edge", "renew", "--json"}, args...)...).stdout
		if err := json.Unmarshal([]byte(out), &rs); err != nil || len(rs) != 1 || rs[0].Site != name {
			t.Fatalf("edge renew --json: %v %q", err, out)
		}
		return rs[0]
	}

	t.Run("a certificate that is not due is kept", func(t *testing.T) {
		r := renew()
		if r.Renewed || r.Error != "" || time.Until(r.CertExpiry) < 39*24*time.Hour {
			t.Errorf("edge renew of a fresh certificate: %+v", r)
		}
		if got := servedSerial(t, httpsPort, names[0], pb.roots); got != serial {
			t.Errorf("the served serial changed from %s to %s without a renewal", serial, got)
		}
	})

	t.Run("a due certificate is renewed and served by the same edge", func(t *testing.T) {
		before := readFile(t, certFile(name))
		r := renew("--renew-before", "60d")
		if !r.Renewed || r.Error != "" {
			t.Fatalf("edge renew --renew-before 60d: %+v", r)
		}
		if after := readFile(t, certFile(name)); after == before {
			t.Fatal("the certificate file did not change")
		}
		for _, n := range names {
			if got := servedSerial(t, httpsPort, n, pb.roots); got == serial {
				t.Errorf("%s: the edge still serves serial %s after the renewal", n, serial)
			}
		}
		if nid, nstarted := edgeStart(); nid != id || nstarted != started {
			t.Errorf("the edge was re-created or restarted by the renewal: %s %s → %s %s", id[:12], started, nid[:12], nstarted)
		}
		resp, body := h.must("GET", h.url("https", names[0], "/"), nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(titleOf(body), title) {
			t.Errorf("after the renewal: %s %q", resp.Status, titleOf(body))
		}
		if out := e.mustRun("edge", "status").stdout; !strings.Contains(out, "acme") || !strings.Contains(out, r.CertExpiry.UTC().Format("2006-01-02")) {
			t.Errorf("edge status lacks the ACME site's expiry:\n%s", out)
		}
	})

	t.Run("up again keeps the certificate and serves", func(t *testing.T) {
		cur := servedSerial(t, httpsPort, names[0], pb.roots)
		r := e.mustRun("up", name)
		if strings.Contains(r.stdout+r.stderr, "PRIVATE KEY") || bytes.Contains([]byte(r.stderr), []byte("renewal failed")) {
			t.Errorf("up again: %s", r)
		}
		if got := servedSerial(t, httpsPort, names[0], pb.roots); got != cur {
			t.Errorf("up again renewed a certificate that was not due: %s → %s", cur, got)
		}
	})

	e.mustRun("destroy", name, "--yes")
	if ok, _ := edgeState(t, e); ok {
		t.Error("the edge is still there after its last site went")
	}
}
