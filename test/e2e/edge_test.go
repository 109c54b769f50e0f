//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
)

const edgeContainer = "wpstack-edge"

// edgeHTTP reaches the edge as a browser on this machine would, its names
// resolved to 127.0.0.1: TLS verified against roots, SNI and Host from the
// URL, cookies kept, redirects not followed.
type edgeHTTP struct {
	t         *testing.T
	httpPort  int
	httpsPort int
	c         *http.Client
}

func newEdgeHTTP(t *testing.T, roots *x509.CertPool, httpPort, httpsPort int, keepAlive bool) *edgeHTTP {
	jar, _ := cookiejar.New(nil)
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
	}
	tr := &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &edgeHTTP{t: t, httpPort: httpPort, httpsPort: httpsPort, c: &http.Client{
		Jar: jar, Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (h *edgeHTTP) url(scheme, name, path string) string {
	port := h.httpsPort
	if scheme == "http" {
		port = h.httpPort
	}
	return fmt.Sprintf("%s://%s:%d%s", scheme, name, port, path)
}

// try sends one request and returns its status, headers and body, or the error.
func (h *edgeHTTP) try(method, u string, body io.Reader, header map[string]string) (*http.Response, string, error) {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, "", err
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func (h *edgeHTTP) must(method, u string, body io.Reader, header map[string]string) (*http.Response, string) {
	h.t.Helper()
	resp, b, err := h.try(method, u, body, header)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp, b
}

func titleOf(page string) string {
	m := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// selfLinks returns every absolute link of the page to one of names.
func selfLinks(page string, names []string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?i)(https?:)?(\\?/){2}([a-z0-9.-]+)`).FindAllStringSubmatch(page, -1) {
		for _, n := range names {
			if strings.EqualFold(m[3], n) {
				out = append(out, m[0])
			}
		}
	}
	return out
}

// edgeExists says whether the edge container exists; it fails the test
// when the edge there belongs to another state directory than want.
func edgeState(t *testing.T, e *env) (bool, container.InspectResponse) {
	t.Helper()
	c, err := e.cli.ContainerInspect(context.Background(), edgeContainer)
	if err != nil {
		if strings.Contains(err.Error(), "No such container") {
			return false, c
		}
		t.Fatal(err)
	}
	return true, c
}

// requireNoForeignEdge fails loudly when an edge already runs on this
// engine: the test needs the engine's one edge for itself.
func requireNoForeignEdge(t *testing.T, e *env) {
	t.Helper()
	if ok, c := edgeState(t, e); ok {
		t.Fatalf("an edge already runs on this engine (state directory %s): this test needs the engine's one edge; remove its sites first", c.Config.Labels["io.wpstack.edge.home"])
	}
}

// cleanupEdge removes the edge of e's state directory if a failed test left it.
func cleanupEdge(t *testing.T, e *env) {
	t.Cleanup(func() {
		ctx := context.Background()
		if ok, c := edgeState(t, e); ok && c.Config.Labels["io.wpstack.edge.home"] == e.home {
			if t.Failed() {
				out, _ := ctDocker("logs", "--tail", "60", edgeContainer)
				t.Logf("edge logs:\n%s", out)
			}
			_ = e.cli.ContainerRemove(ctx, edgeContainer, container.RemoveOptions{Force: true})
		}
		if n, err := e.cli.NetworkInspect(ctx, "wpstack-edge", network.InspectOptions{}); err == nil && n.Labels["io.wpstack.edge.home"] == e.home {
			_ = e.cli.NetworkRemove(ctx, n.ID)
		}
	})
}

// selfSigned makes a certificate and key for names, as a user's own pair.
func selfSigned(t *testing.T, dir string, names ...string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, names[0]+".pem"), filepath.Join(dir, names[0]+".key")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

// TestEdgeDomains runs sites behind the edge with real TLS and real HTTP:
// routing by name, the neutral 404, the HTTPS redirect, forwarded headers
// a client cannot spoof, login over HTTPS, isolation, adding sites under
// load without a failed request, removing them, and the edge's removal
// with the last one.
func TestEdgeDomains(t *testing.T) {
	e := newEnv(t)
	requireNoForeignEdge(t, e)
	cleanupEdge(t, e)
	httpPort, httpsPort := freePort(t), freePort(t)
	ports := []string{"--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort)}
	tag := ctRandom()[:6]
	a, b := siteName("edga"), siteName("edgb")
	aNames := []string{"a-" + tag + ".test", "www.a-" + tag + ".test"}
	bNames := []string{"b-" + tag + ".test"}
	aTitle, bTitle := "Alpha "+tag, "Bravo "+tag
	for _, n := range []string{a, b} {
		e.cleanupSite(n)
	}

	// Bad input first: refused before anything is made.
	held, err := net.Listen("tcp", fmt.Sprintf(":%d", httpsPort))
	if err != nil {
		t.Fatal(err)
	}
	e.mustFail([]string{fmt.Sprintf("port %d is already in use", httpsPort), "--https-port"}, append([]string{"up", a, "--domain", aNames[0], "--tls", "local"}, ports...)...)
	held.Close()
	e.mustFail([]string{"drop --port"}, "up", a, "--domain", aNames[0], "--port", fmt.Sprint(freePort(t)))
	e.mustFail([]string{`invalid domain "a_b.test"`, "--domain"}, "up", a, "--domain", "a_b.test")
	other, otherKey, _ := selfSigned(t, t.TempDir(), "other-"+tag+".test")
	e.mustFail([]string{"does not cover " + aNames[0], "--cert"}, append([]string{"up", a, "--domain", aNames[0], "--tls", "cert", "--cert", other, "--key", otherKey}, ports...)...)
	if got := e.labelled(a); len(got) != 0 {
		t.Fatalf("refused ups left resources: %v", got)
	}
	if ok, _ := edgeState(t, e); ok {
		t.Fatal("a refused up started the edge")
	}

	upA := e.mustRun(append([]string{"up", a, "--domain", aNames[0], "--domain", aNames[1], "--tls", "local", "--title", aTitle}, ports...)...)
	wantURL := fmt.Sprintf("https://%s:%d/", aNames[0], httpsPort)
	if !strings.Contains(upA.stdout, "URL:            "+wantURL) {
		t.Errorf("up does not print the site's HTTPS URL %s:\n%s", wantURL, upA.stdout)
	}
	e.mustRun(append([]string{"up", b, "--domain", bNames[0], "--tls", "local", "--title", bTitle}, ports...)...)
	e.mustFail([]string{fmt.Sprintf("domain %q is already site %q's", aNames[1], a)}, append([]string{"up", siteName("edgx"), "--domain", aNames[1]}, ports...)...)

	caFile, roots := edgeRoots(t, e)
	if fi, err := os.Stat(filepath.Join(filepath.Dir(caFile), "root.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the CA's key is not 0600: %v %v", fi, err)
	}
	if out := e.mustRun("edge", "ca").stdout; !strings.Contains(out, "update-ca-certificates") || !strings.Contains(out, "certutil -d sql:$HOME/.pki/nssdb") || !strings.Contains(out, "Firefox") {
		t.Errorf("edge ca does not say how to trust the root:\n%s", out)
	}
	h := newEdgeHTTP(t, roots, httpPort, httpsPort, false)

	t.Run("each site serves its own title over verified HTTPS", func(t *testing.T) {
		h := *h
		h.t = t
		for _, c := range []struct {
			names []string
			title string
		}{{aNames, aTitle}, {bNames, bTitle}} {
			for _, n := range c.names {
				resp, body := h.must("GET", h.url("https", n, "/"), nil, nil)
				if resp.StatusCode != 200 || !strings.Contains(titleOf(body), c.title) {
					t.Errorf("https://%s/: %s, title %q, want %q", n, resp.Status, titleOf(body), c.title)
				}
				if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
					t.Errorf("https://%s/: TLS %v", n, resp.TLS)
				}
			}
		}
		// TLS 1.1 is refused.
		c, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", httpsPort), &tls.Config{ServerName: aNames[0], RootCAs: roots, MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10})
		if err == nil {
			c.Close()
			t.Error("the edge accepts TLS 1.1")
		}
	})

	t.Run("an unknown name gets a neutral 404", func(t *testing.T) {
		h := *h
		h.t = t
		unknown := "nobody-" + tag + ".test"
		resp, body := h.must("GET", h.url("http", unknown, "/"), nil, nil)
		if resp.StatusCode != 404 || strings.Contains(body, aTitle) || strings.Contains(body, bTitle) || strings.Contains(body, "wp-") {
			t.Errorf("http://%s/: %s %q", unknown, resp.Status, body)
		}
		// Over TLS: no certificate at all for a name no site has.
		if _, _, err := h.try("GET", h.url("https", unknown, "/"), nil, nil); err == nil {
			t.Errorf("https://%s/ completed a TLS handshake", unknown)
		}
		// A known SNI with an unknown Host reaches no site either.
		resp, body = h.must("GET", h.url("https", aNames[0], "/"), nil, map[string]string{"Host": unknown})
		if resp.StatusCode != 404 || strings.Contains(body, aTitle) {
			t.Errorf("SNI %s, Host %s: %s %.200q", aNames[0], unknown, resp.Status, body)
		}
	})

	t.Run("HTTP redirects to HTTPS, ACME challenges aside", func(t *testing.T) {
		h := *h
		h.t = t
		resp, _ := h.must("GET", h.url("http", aNames[1], "/some/page?x=1"), nil, map[string]string{"X-Forwarded-Proto": "https"})
		want := fmt.Sprintf("https://%s:%d/some/page?x=1", aNames[1], httpsPort)
		if resp.StatusCode != 301 || resp.Header.Get("Location") != want {
			t.Errorf("http://%s/some/page: %s → %q, want 301 → %q", aNames[1], resp.Status, resp.Header.Get("Location"), want)
		}
		resp, _ = h.must("GET", h.url("http", aNames[0], "/.well-known/acme-challenge/token"), nil, nil)
		if resp.StatusCode == 301 {
			t.Errorf("an ACME challenge is redirected: %s", resp.Header.Get("Location"))
		}
	})

	t.Run("WordPress emits HTTPS links only, whatever a client claims", func(t *testing.T) {
		h := *h
		h.t = t
		_, plain := h.must("GET", h.url("https", aNames[0], "/"), nil, nil)
		_, spoofed := h.must("GET", h.url("https", aNames[0], "/"), nil, map[string]string{
			"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.66", "X-Forwarded-Host": "evil-" + tag + ".test",
			"Forwarded": "for=203.0.113.66;proto=http;host=evil-" + tag + ".test", "X-Forwarded-Ssl": "off",
		})
		for name, page := range map[string]string{"plain": plain, "spoofed": spoofed} {
			links := selfLinks(page, append(aNames, "evil-"+tag+".test"))
			if len(links) == 0 {
				t.Errorf("%s: the home page has no link to itself; cannot check its scheme", name)
			}
			for _, l := range links {
				if !strings.HasPrefix(strings.ToLower(l), "https:") && !strings.HasPrefix(l, "//") && !strings.HasPrefix(l, `\/\/`) {
					t.Errorf("%s: the home page links to itself over plain HTTP: %s", name, l)
				}
				if strings.Contains(l, "evil-") {
					t.Errorf("%s: a client's X-Forwarded-Host reached WordPress: %s", name, l)
				}
			}
		}
		if strings.Count(spoofed, "https://"+aNames[0]) != strings.Count(plain, "https://"+aNames[0]) {
			t.Errorf("a spoofed X-Forwarded-Proto changed the page's links (%d against %d)", strings.Count(spoofed, "https://"+aNames[0]), strings.Count(plain, "https://"+aNames[0]))
		}
		// The forwarded client address WordPress gets is the edge's view of
		// the client, never the header a client sent: the edge's access log
		// has the peer, and the web's access log the same.
		out, _ := ctDocker("logs", "--tail", "20", a+"-web-1")
		if strings.Contains(out, "203.0.113.66") {
			t.Errorf("a client's X-Forwarded-For reached the site's log:\n%s", out)
		}
	})

	t.Run("login over HTTPS", func(t *testing.T) {
		h := newEdgeHTTP(t, roots, httpPort, httpsPort, true)
		pw := readFile(t, filepath.Join(e.home, "sites", a, "secrets", "admin_password"))
		h.must("GET", h.url("https", aNames[0], "/wp-login.php"), nil, nil)
		form := url.Values{"log": {"admin"}, "pwd": {pw}, "wp-submit": {"Log In"}, "redirect_to": {wantURL + "wp-admin/"}, "testcookie": {"1"}}
		// The client claims plain HTTP: WordPress must still see HTTPS (from
		// the edge) and set its secure cookie.
		resp, body := h.must("POST", h.url("https", aNames[0], "/wp-login.php"), strings.NewReader(form.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "http", "X-Forwarded-Ssl": "off"})
		if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), wantURL) {
			t.Fatalf("login: %s → %q, want a redirect to %s; page: %.300s", resp.Status, resp.Header.Get("Location"), wantURL, body)
		}
		secure := false
		for _, c := range resp.Cookies() {
			if strings.HasPrefix(c.Name, "wordpress_sec_") && c.Secure {
				secure = true
			}
		}
		if !secure {
			t.Error("login over HTTPS set no secure auth cookie (WordPress does not see HTTPS)")
		}
		resp, body = h.must("GET", h.url("https", aNames[0], "/wp-admin/"), nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "Dashboard") {
			t.Errorf("after login, /wp-admin/ answered %s without the Dashboard (a redirect loop?) → %q", resp.Status, resp.Header.Get("Location"))
		}
	})

	t.Run("the edge runs no root process and shares each site's network with its web only", func(t *testing.T) {
		ctNoRootProcess(t, edgeContainer)
		for _, s := range []string{a, b} {
			n, err := e.cli.NetworkInspect(context.Background(), s+"_edge", network.InspectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var members []string
			for _, c := range n.Containers {
				members = append(members, c.Name)
			}
			if len(members) != 2 || !n.Internal || !strings.Contains(strings.Join(members, " "), s+"-web-1") || !strings.Contains(strings.Join(members, " "), edgeContainer) {
				t.Errorf("network %s_edge: internal %v, members %v; want internal, the site's web and the edge", s, n.Internal, members)
			}
			env := ctMust(t, "inspect", "--format", "{{json .Config.Env}}", s+"-web-1")
			if !strings.Contains(env, "WPSTACK_TRUSTED_PROXIES="+n.IPAM.Config[0].Subnet) {
				t.Errorf("%s-web-1 does not trust its edge network's subnet %s: %s", s, n.IPAM.Config[0].Subnet, env)
			}
			if ports := ctMust(t, "port", s+"-web-1"); ports != "" {
				t.Errorf("%s-web-1 publishes ports of its own: %s", s, ports)
			}
		}
		// Site A's web cannot reach site B's web, by name or by address.
		bIP := ctMust(t, "inspect", "--format", "{{(index .NetworkSettings.Networks \""+b+"_edge\").IPAddress}}", b+"-web-1")
		for _, target := range []string{b + "-web-1", bIP, b + "-db-1"} {
			out, _ := ctDocker("exec", a+"-web-1", "php", "-r", fmt.Sprintf(`$s=@fsockopen(%q, 80, $n, $m, 3); echo $s ? "open" : "closed";`, target))
			if strings.Contains(out, "open") {
				t.Errorf("site %s's web reaches %s of site %s", a, target, b)
			}
		}
	})

	t.Run("edge status", func(t *testing.T) {
		out := e.mustRun("edge", "status").stdout
		for _, w := range []string{"running", fmt.Sprintf("HTTPS %d", httpsPort), a, b, aNames[1], bNames[0]} {
			if !strings.Contains(out, w) {
				t.Errorf("edge status lacks %q:\n%s", w, out)
			}
		}
	})

	t.Run("www redirects to the bare name", func(t *testing.T) {
		h := *h
		h.t = t
		e.mustFail([]string{"--www-redirect to-www", "must be the site's first --domain"}, "up", a, "--www-redirect", "to-www")
		e.mustRun("up", a, "--www-redirect", "to-bare")
		want := fmt.Sprintf("https://%s:%d/some/page?x=1&y=%%C3%%A9", aNames[0], httpsPort)
		for _, scheme := range []string{"https", "http"} {
			resp, _ := h.must("GET", h.url(scheme, aNames[1], "/some/page?x=1&y=%C3%A9"), nil, nil)
			if resp.StatusCode != 301 || resp.Header.Get("Location") != want {
				t.Errorf("%s://%s/some/page: %s → %q, want 301 → %q", scheme, aNames[1], resp.Status, resp.Header.Get("Location"), want)
			}
		}
		resp, body := h.must("GET", h.url("https", aNames[0], "/"), nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(titleOf(body), aTitle) {
			t.Errorf("https://%s/ with --www-redirect to-bare: %s, title %q", aNames[0], resp.Status, titleOf(body))
		}
	})

	// Ten sites are added, then removed, while site A is under load: every
	// request must succeed across the twenty reloads.
	var more []string
	for i := 0; i < 10; i++ {
		n := siteName(fmt.Sprintf("edg%c", 'c'+i))
		e.cleanupSite(n)
		more = append(more, n)
	}
	eCert, eKey, ePool := selfSigned(t, t.TempDir(), "e-"+tag+".test")
	t.Run("adding and removing ten sites under load fails no request", func(t *testing.T) {
		keep := newEdgeHTTP(t, roots, httpPort, httpsPort, true)
		fresh := newEdgeHTTP(t, roots, httpPort, httpsPort, false)
		var ok, failed atomic.Int64
		var firstErr atomic.Value
		stop := make(chan struct{})
		var wg sync.WaitGroup
		deadline := time.Now().Add(20 * time.Minute)
		const maxRequests = 200000
		// Two clients on kept-alive connections, two with a new connection
		// (and TLS handshake) per request; a short pause keeps the load
		// from taking the machine's two cores from the ups it waits for.
		for w := 0; w < 4; w++ {
			load := keep
			if w%2 == 1 {
				load = fresh
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
					if time.Now().After(deadline) || ok.Load()+failed.Load() >= maxRequests {
						return
					}
					resp, body, err := load.try("GET", load.url("https", aNames[0], "/"), nil, nil)
					if err == nil && (resp.StatusCode != 200 || !strings.Contains(body, aTitle)) {
						err = fmt.Errorf("status %s", resp.Status)
					}
					if err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
						continue
					}
					ok.Add(1)
				}
			}()
		}
		start := time.Now()
		for i, n := range more {
			args := []string{"up", n, "--domain", fmt.Sprintf("%c-%s.test", 'c'+i, tag), "--title", "Site " + n}
			if i == 2 {
				args = append(args, "--tls", "cert", "--cert", eCert, "--key", eKey)
			}
			e.mustRun(append(args, ports...)...)
		}
		added := time.Since(start)
		addedReqs := ok.Load() + failed.Load()
		// The site with the user's own certificate is served with it.
		eh := newEdgeHTTP(t, ePool, httpPort, httpsPort, false)
		resp, body, err := eh.try("GET", eh.url("https", "e-"+tag+".test", "/"), nil, nil)
		if err != nil || resp.StatusCode != 200 || !strings.Contains(titleOf(body), "Site "+more[2]) {
			t.Errorf("the --tls cert site: %v %v %q", err, resp, titleOf(body))
		}
		for _, n := range more {
			e.mustRun("destroy", n, "--yes")
		}
		close(stop)
		wg.Wait()
		t.Logf("load on %s while adding %d sites (%s, %d requests) and removing them (%s): %d requests in all, %d failed (first error: %v)",
			aNames[0], len(more), added.Round(time.Second), addedReqs, (time.Since(start) - added).Round(time.Second), ok.Load()+failed.Load(), failed.Load(), firstErr.Load())
		if failed.Load() != 0 || ok.Load() == 0 {
			t.Errorf("%d of %d requests failed during the reconfiguration (first: %v)", failed.Load(), ok.Load()+failed.Load(), firstErr.Load())
		}
		if conf := readFile(t, filepath.Join(e.home, "edge", "conf", "nginx.conf")); strings.Contains(conf, "c-"+tag+".test") {
			t.Error("the removed sites are still in the edge's configuration")
		}
	})

	confFile := filepath.Join(e.home, "edge", "conf", "nginx.conf")
	t.Run("removing a site leaves the others serving", func(t *testing.T) {
		h := *h
		h.t = t
		e.mustRun("down", b)
		conf := readFile(t, confFile)
		if strings.Contains(conf, bNames[0]) || !strings.Contains(conf, aNames[0]) {
			t.Errorf("after down %s, the edge configuration still names it or lost %s:\n%s", b, a, conf)
		}
		if _, _, err := h.try("GET", h.url("https", bNames[0], "/"), nil, nil); err == nil {
			t.Errorf("https://%s/ still answers after down", bNames[0])
		}
		resp, body := h.must("GET", h.url("https", aNames[0], "/"), nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(titleOf(body), aTitle) {
			t.Errorf("after down %s, %s answers %s", b, a, resp.Status)
		}
		// Back up: the site is served again.
		e.mustRun("up", b)
		resp, body = h.must("GET", h.url("https", bNames[0], "/"), nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(titleOf(body), bTitle) {
			t.Errorf("after up again, %s answers %s %q", b, resp.Status, titleOf(body))
		}
	})

	t.Run("the last site with a domain removes the edge", func(t *testing.T) {
		for _, n := range []string{b} {
			e.mustRun("destroy", n, "--yes")
			if ok, _ := edgeState(t, e); !ok {
				t.Fatalf("the edge went with %s, while %s still has a domain", n, a)
			}
		}
		r := e.mustRun("destroy", a, "--yes")
		if !strings.Contains(r.stdout+r.stderr, "removing the edge") {
			t.Errorf("destroying the last site with a domain does not say the edge goes:\n%s", r)
		}
		if ok, _ := edgeState(t, e); ok {
			t.Error("the edge is still there after the last site with a domain went")
		}
		var js json.RawMessage
		if err := json.Unmarshal([]byte(e.mustRun("edge", "status", "--json").stdout), &js); err != nil {
			t.Error(err)
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", httpsPort), 2*time.Second)
		if err == nil {
			c.Close()
			t.Errorf("port %d still answers after the edge went", httpsPort)
		} else if !errors.Is(err, os.ErrDeadlineExceeded) && !strings.Contains(err.Error(), "refused") {
			t.Logf("dial after removal: %v", err)
		}
	})
}

// TestEdgeCache checks the edge's full-page cache with real WordPress:
// anonymous pages are served from it, everything the issue lists never is,
// and no request header a client sends changes what others get.
func TestEdgeCache(t *testing.T) {
	e := newEnv(t)
	requireNoForeignEdge(t, e)
	cleanupEdge(t, e)
	httpPort, httpsPort := freePort(t), freePort(t)
	tag := ctRandom()[:6]
	name, domain, title := siteName("edgk"), "k-"+tag+".test", "Kilo "+tag
	e.cleanupSite(name)
	e.mustFail([]string{`invalid --cache-size "0m"`, "--cache-size 64m"}, "up", name, "--domain", domain, "--cache-size", "0m")
	// The XML-RPC calls below are login POSTs too: this site allows more.
	e.mustRun("up", name, "--domain", domain, "--tls", "local", "--title", title, "--login-rate", "600/m", "--cache-size", "24m", // the cache is on by default
		"--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort))
	_, roots := edgeRoots(t, e)
	anon := newEdgeHTTP(t, roots, httpPort, httpsPort, false)
	home := anon.url("https", domain, "/")
	xcache := func(h *edgeHTTP, method, u string, header map[string]string) (string, string) {
		t.Helper()
		resp, body := h.must(method, u, nil, header)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: %s", method, u, resp.Status)
		}
		return resp.Header.Get("X-Cache"), body
	}

	// up's own wait for the home page warmed the cache already.
	got, body := xcache(anon, "GET", home, nil)
	if got != "HIT" || !strings.Contains(titleOf(body), title) {
		t.Errorf("anonymous GET / after up: X-Cache %q, title %q; want HIT with %q", got, titleOf(body), title)
	}
	page := anon.url("https", domain, "/?s="+tag)
	if got, _ := xcache(anon, "GET", page, nil); got != "MISS" {
		t.Errorf("first anonymous GET of a new page: X-Cache %q, want MISS", got)
	}
	if got, _ := xcache(anon, "GET", page, nil); got != "HIT" {
		t.Errorf("second anonymous GET of that page: X-Cache %q, want HIT", got)
	}
	// A page cached now is expired (60 s) by the end of the test, when it is
	// asked for again with the site's web container stopped.
	stalePage := anon.url("https", domain, "/?stale="+tag)
	if got, _ := xcache(anon, "GET", stalePage, nil); got != "MISS" {
		t.Errorf("first GET of %s: X-Cache %q, want MISS", stalePage, got)
	}
	staleCached := time.Now()
	// HEAD shares GET's entry (same Accept-Encoding: the response varies on it).
	if got, _ := xcache(anon, "HEAD", page, map[string]string{"Accept-Encoding": "gzip"}); got != "HIT" {
		t.Errorf("HEAD after a GET: X-Cache %q, want HIT", got)
	}

	for _, c := range []struct {
		why    string
		path   string
		header map[string]string
	}{
		{"logged-in cookie", "/", map[string]string{"Cookie": "wordpress_logged_in_0123=admin%7C1"}},
		{"password-protected post cookie", "/", map[string]string{"Cookie": "wp-postpass_0123=x"}},
		{"commenter cookie", "/", map[string]string{"Cookie": "comment_author_0123=someone"}},
		{"cart cookie", "/", map[string]string{"Cookie": "woocommerce_items_in_cart=1"}},
		{"Authorization", "/", map[string]string{"Authorization": "Basic YWRtaW46eA=="}},
		{"wp-admin", "/wp-admin/", nil},
		{"login page", "/wp-login.php", nil},
		{"XML-RPC", "/xmlrpc.php", nil},
		{"preview", "/?p=1&preview=true", nil},
	} {
		for i := 0; i < 2; i++ {
			if got, _ := xcache(anon, "GET", anon.url("https", domain, c.path), c.header); got != "BYPASS" {
				t.Errorf("%s (GET %s, try %d): X-Cache %q, want BYPASS", c.why, c.path, i+1, got)
			}
		}
	}
	if resp, _ := anon.must("POST", home, strings.NewReader("a=1"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); resp.Header.Get("X-Cache") != "BYPASS" {
		t.Errorf("POST /: X-Cache %q, want BYPASS", resp.Header.Get("X-Cache"))
	}

	// A logged-in admin gets WordPress, never the cached page.
	admin := newEdgeHTTP(t, roots, httpPort, httpsPort, true)
	pw := readFile(t, filepath.Join(e.home, "sites", name, "secrets", "admin_password"))
	admin.must("GET", admin.url("https", domain, "/wp-login.php"), nil, nil)
	form := url.Values{"log": {"admin"}, "pwd": {pw}, "wp-submit": {"Log In"}, "redirect_to": {home + "wp-admin/"}, "testcookie": {"1"}}
	if resp, _ := admin.must("POST", admin.url("https", domain, "/wp-login.php"), strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); resp.StatusCode != 302 {
		t.Fatalf("login: %s", resp.Status)
	}
	for i := 0; i < 2; i++ {
		got, body := xcache(admin, "GET", home, nil)
		if got != "BYPASS" || !strings.Contains(body, "wpadminbar") {
			t.Errorf("logged-in GET / (try %d): X-Cache %q, admin bar %v; want BYPASS with the admin bar", i+1, got, strings.Contains(body, "wpadminbar"))
		}
	}
	// ... and what the admin saw was not stored for anyone else.
	if _, body := xcache(anon, "GET", home, nil); strings.Contains(body, "wpadminbar") {
		t.Error("an anonymous visitor got the admin's page from the cache")
	}

	// Unkeyed headers cannot poison the page others get.
	poisonURL := anon.url("https", domain, "/?poison="+tag)
	xcache(anon, "GET", poisonURL, map[string]string{"X-Forwarded-Host": "evil-" + tag + ".test", "X-Forwarded-Proto": "http", "X-Original-URL": "/wp-admin/", "Accept-Encoding": "gzip"})
	got, body = xcache(anon, "GET", poisonURL, nil)
	if got != "HIT" || strings.Contains(body, "evil-"+tag) || len(selfLinks(body, []string{domain})) == 0 {
		t.Errorf("after a request with spoofed headers, the cached page: X-Cache %q, poisoned %v", got, strings.Contains(body, "evil-"+tag))
	}
	for _, l := range selfLinks(body, []string{domain}) {
		if strings.HasPrefix(strings.ToLower(l), "http:") {
			t.Errorf("the cached page links to itself over plain HTTP: %s", l)
		}
	}

	// Purge on publish: a post published over XML-RPC is on the home page
	// at the very next anonymous request.
	if got, _ := xcache(anon, "GET", home, nil); got != "HIT" {
		t.Fatalf("GET / before the publish: X-Cache %q, want HIT", got)
	}
	rpc := func(method, params string) string {
		t.Helper()
		call := `<?xml version="1.0"?><methodCall><methodName>` + method + `</methodName><params><param><value><int>1</int></value></param>` +
			`<param><value>admin</value></param><param><value>` + html.EscapeString(pw) + `</value></param>` + params + `</params></methodCall>`
		resp, body := anon.must("POST", anon.url("https", domain, "/xmlrpc.php"), strings.NewReader(call), map[string]string{"Content-Type": "text/xml"})
		if resp.StatusCode != 200 || strings.Contains(body, "<fault>") {
			t.Fatalf("XML-RPC %s: %s %s", method, resp.Status, body)
		}
		return body
	}
	postTitle := "Fresh " + tag
	published := time.Now()
	out := rpc("wp.newPost", `<param><value><struct><member><name>post_title</name><value>`+postTitle+`</value></member>`+
		`<member><name>post_content</name><value>Body `+tag+`</value></member><member><name>post_status</name><value>publish</value></member><member><name>comment_status</name><value>open</value></member></struct></value></param>`)
	m := regexp.MustCompile(`<string>(\d+)</string>`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("wp.newPost gave no post id: %s", out)
	}
	got, body = xcache(anon, "GET", home, nil)
	if !strings.Contains(body, postTitle) {
		t.Fatalf("the home page right after publishing over XML-RPC (X-Cache %q) lacks the new post %q", got, postTitle)
	}
	t.Logf("publish to a fresh home page: %v (X-Cache %s)", time.Since(published).Round(time.Millisecond), got)
	if got, _ := xcache(anon, "GET", home, nil); got != "HIT" {
		t.Errorf("GET / after the fresh page: X-Cache %q, want HIT", got)
	}

	// An approved comment purges its post's page.
	// Its permalink: /?p=ID with plain permalinks, else where that redirects.
	postURL := anon.url("https", domain, "/?p="+m[1])
	if resp, _ := anon.must("GET", postURL, nil, nil); resp.StatusCode == 301 && resp.Header.Get("Location") != "" {
		postURL = resp.Header.Get("Location")
	} else if resp.StatusCode != 200 {
		t.Fatalf("GET /?p=%s: %s, want 200 or a 301 to the permalink", m[1], resp.Status)
	}
	xcache(anon, "GET", postURL, nil)
	if got, _ := xcache(anon, "GET", postURL, nil); got != "HIT" {
		t.Fatalf("second GET of the post: X-Cache %q, want HIT", got)
	}
	comment := "Comment " + tag
	rpc("wp.newComment", `<param><value><int>`+m[1]+`</int></value></param><param><value><struct><member><name>content</name><value>`+comment+`</value></member></struct></value></param>`)
	if got, body := xcache(anon, "GET", postURL, nil); !strings.Contains(body, comment) {
		t.Errorf("the post right after an approved comment (X-Cache %q) lacks the comment", got)
	}

	// wpstack cache purge: the next request is a MISS.
	e.mustRun("cache", "purge", name, "/")
	if got, _ := xcache(anon, "GET", home, nil); got != "MISS" {
		t.Errorf("GET / after wpstack cache purge %s /: X-Cache %q, want MISS", name, got)
	}
	st := e.mustRun("cache", "status", name, "--json").stdout
	var status struct {
		Hits, Misses, Bypasses int
	}
	if err := json.Unmarshal([]byte(st), &status); err != nil || status.Hits == 0 || status.Misses == 0 || status.Bypasses == 0 {
		t.Errorf("wpstack cache status --json: %v %s", err, st)
	}

	name2, domain2 := siteName("edgl"), "l-"+tag+".test"
	e.cleanupSite(name2)
	e.mustRun("up", name2, "--domain", domain2, "--tls", "local", "--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort))
	// The brute-force brake (default 10 a minute per client address), on a
	// second site of its own (the count is per site and address): ten
	// POSTs to the login and XML-RPC reach WordPress, then 429
	// with Retry-After; GETs are not counted (the bypass checks above).
	bad := url.Values{"log": {"admin"}, "pwd": {"wrong-" + tag}, "wp-submit": {"Log In"}}.Encode()
	xmlrpcCall := `<?xml version="1.0"?><methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value>admin</value></param><param><value>wrong</value></param></params></methodCall>`
	wantLoginBrake(t, func(i int) *http.Response {
		path, body, ct := "/wp-login.php", bad, "application/x-www-form-urlencoded"
		if i%2 == 0 {
			path, body, ct = "/xmlrpc.php", xmlrpcCall, "text/xml"
		}
		resp, _ := anon.must("POST", anon.url("https", domain2, path), strings.NewReader(body), map[string]string{"Content-Type": ct})
		return resp
	})

	// --cache-size bounds the site's own cache zone, and cache status says so.
	conf := readFile(t, filepath.Join(e.home, "edge", "conf", "nginx.conf"))
	if !strings.Contains(conf, "keys_zone=wpstack_pages_"+name+":1m max_size=24m ") || !strings.Contains(conf, "keys_zone=wpstack_pages_"+name2+":1m max_size=32m ") {
		t.Errorf("the edge's configuration does not bound each site's cache by its --cache-size (24m, default 32m)")
	}
	var size struct {
		CacheSize string `json:"cache_size"`
		MaxBytes  int64  `json:"max_bytes"`
		Bytes     int64  `json:"bytes"`
	}
	if err := json.Unmarshal([]byte(e.mustRun("cache", "status", name, "--json").stdout), &size); err != nil || size.CacheSize != "24m" || size.MaxBytes != 24<<20 || size.Bytes == 0 {
		t.Errorf("cache status --json: %+v %v; want cache_size 24m, max_bytes %d, bytes held", size, err, 24<<20)
	}
	if out := e.mustRun("cache", "status", name).stdout; !strings.Contains(out, "of at most 24m") {
		t.Errorf("cache status does not show the bound:\n%s", out)
	}

	// Stale pages are served while the backend fails: the site's web
	// container stopped, an expired page still answers from the cache (and
	// a page never cached does not: the backend is really gone).
	if wait := 61*time.Second - time.Since(staleCached); wait > 0 {
		t.Logf("waiting %s for %s to expire", wait.Round(time.Second), stalePage)
		time.Sleep(wait)
	}
	ctMust(t, "stop", name+"-web-1")
	resp, body := anon.must("GET", stalePage, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(titleOf(body), title) || resp.Header.Get("X-Cache") != "HIT" {
		t.Errorf("an expired page with the web container stopped: %s, X-Cache %q, title %q; want 200 from the cache with %q", resp.Status, resp.Header.Get("X-Cache"), titleOf(body), title)
	}
	if resp, _ := anon.must("GET", anon.url("https", domain, "/?never-cached="+tag), nil, nil); resp.StatusCode < 500 {
		t.Errorf("a page never cached, with the web container stopped: %s, want a 5xx", resp.Status)
	}
	ctMust(t, "start", name+"-web-1")

	e.mustRun("destroy", name2, "--yes")
	e.mustRun("destroy", name, "--yes")
	if ok, _ := edgeState(t, e); ok {
		t.Error("the edge is still there after its only site went")
	}
}

// edgeRoots is the local CA's root as `wpstack edge ca --path` names it: its
// path and a pool trusting it.
func edgeRoots(t *testing.T, e *env) (string, *x509.CertPool) {
	t.Helper()
	caFile := strings.TrimSpace(e.mustRun("edge", "ca", "--path").stdout)
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return caFile, roots
}
