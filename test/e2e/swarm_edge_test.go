//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// nodeHTTP reaches a swarm site's edge on one node as a browser would whose
// DNS points the site's names at that node: TLS verified against roots, SNI
// and Host from the URL, redirects not followed, no connection reuse (each
// request is a new visitor).
func nodeHTTP(t *testing.T, ip string, roots *x509.CertPool) *http.Client {
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(ip, port))
	}
	tr := &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func nodeGet(t *testing.T, c *http.Client, method, u string, body io.Reader, ctype string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp, string(b)
}

// swarmEdge runs a swarm site with a domain: its own edge, one nginx task
// per node, serves it over HTTPS with the local CA's certificate (a swarm
// secret), routes by name, caches anonymous pages, brakes login POSTs, and
// a post published through one node's edge is on the home page at the
// very next request through every node's edge.
func swarmEdge(t *testing.T, e *env, cl *cluster) {
	tag := ctRandom()[:6]
	name, domain, title := siteName("e2e5-se"), "se-"+tag+".test", "Swarm Edge "+tag
	t.Cleanup(func() { e.run("destroy", name, "--yes") })

	r := e.mustRun("up", name, "--target", "swarm", "--registry", cl.registry, "--domain", domain, "--tls", "local",
		"--title", title, "--wordpress-source", "debian")
	t.Logf("MEASURE swarm up with --domain (build, push, deploy, install): %s", r.took.Round(100*time.Millisecond))
	if !strings.Contains(r.stdout, "https://"+domain+"/") {
		t.Errorf("up does not give the site's https URL:\n%s", r.stdout)
	}
	ns := "label=com.docker.stack.namespace=" + name
	edgeSvc := name + "_edge"
	if got := cl.node(0, "service", "ps", edgeSvc, "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"); strings.Count(got, "Running") != len(cl.nodes) {
		t.Fatalf("edge tasks: %q, want one running per node (%d)", got, len(cl.nodes))
	}
	// The key is a secret, owned by the edge's user; never in the
	// environment, the image or a config.
	insp := cl.node(0, "service", "inspect", edgeSvc, "--format", "{{json .Spec.TaskTemplate.ContainerSpec}}")
	if !strings.Contains(insp, `"Name":"edge-tls.key","UID":"10080","GID":"10080","Mode":256`) || strings.Contains(insp, "PRIVATE KEY") {
		t.Errorf("the edge's key is not a 0400 secret of uid 10080:\n%s", insp)
	}
	if out := cl.node(0, "config", "ls", "-q", "--filter", ns); out != "" {
		t.Errorf("the stack has configs (secrets belong in secrets): %s", out)
	}
	if n := len(strings.Fields(cl.node(0, "secret", "ls", "-q", "--filter", ns))); n != 6 {
		t.Errorf("the stack has %d secrets, want 6 (3 of the site, 3 of its edge)", n)
	}
	// The database is never on the edge's network.
	if nets := cl.node(0, "service", "inspect", name+"_db", "--format", "{{json .Spec.TaskTemplate.Networks}}"); strings.Contains(nets, name+"_edge") {
		t.Errorf("the database is on the edge network: %s", nets)
	}

	_, roots := edgeRoots(t, e)
	home := "https://" + domain + "/"
	var clients []*http.Client
	for _, n := range cl.nodes {
		clients = append(clients, nodeHTTP(t, n.ip, roots))
	}
	xcache := func(i int, u string) (string, string) {
		t.Helper()
		resp, body := nodeGet(t, clients[i], "GET", u, nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s via node %s: %s", u, cl.nodes[i].name, resp.Status)
		}
		return resp.Header.Get("X-Cache"), body
	}
	for i, n := range cl.nodes {
		_, body := xcache(i, home)
		if !strings.Contains(titleOf(body), title) {
			t.Errorf("GET %s via node %s: title %q, want %q", home, n.name, titleOf(body), title)
		}
		// Unknown names: a neutral 404 over HTTP, no certificate over TLS.
		resp, body := nodeGet(t, clients[i], "GET", "http://other-"+tag+".test/", nil, "")
		if resp.StatusCode != 404 || strings.Contains(body, title) {
			t.Errorf("an unknown name via node %s: %s %q, want the neutral 404", n.name, resp.Status, body)
		}
		if _, err := clients[i].Get("https://other-" + tag + ".test/"); err == nil {
			t.Errorf("an unknown name over TLS via node %s got a certificate", n.name)
		}
		resp, _ = nodeGet(t, clients[i], "GET", "http://"+domain+"/?a=1", nil, "")
		if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://"+domain+"/?a=1" {
			t.Errorf("HTTP via node %s: %s to %q, want 301 to HTTPS", n.name, resp.Status, resp.Header.Get("Location"))
		}
		page := "https://" + domain + "/?s=" + tag + "-" + fmt.Sprint(i)
		if got, _ := xcache(i, page); got != "MISS" {
			t.Errorf("first anonymous GET of a page via node %s: X-Cache %q, want MISS", n.name, got)
		}
		if got, _ := xcache(i, page); got != "HIT" {
			t.Errorf("second anonymous GET of a page via node %s: X-Cache %q, want HIT", n.name, got)
		}
		// Every edge task holds the home page before the publish.
		xcache(i, home)
		if got, _ := xcache(i, home); got != "HIT" {
			t.Fatalf("GET / via node %s before the publish: X-Cache %q, want HIT", n.name, got)
		}
	}

	// Purge on publish reaches every edge task: a post published over
	// XML-RPC through the first node is on the home page at the very next
	// anonymous request through each node.
	pw := readFile(t, filepath.Join(e.home, "sites", name, "secrets", "admin_password"))
	postTitle := "Fresh " + tag
	call := `<?xml version="1.0"?><methodCall><methodName>wp.newPost</methodName><params><param><value><int>1</int></value></param>` +
		`<param><value>admin</value></param><param><value>` + html.EscapeString(pw) + `</value></param>` +
		`<param><value><struct><member><name>post_title</name><value>` + postTitle + `</value></member>` +
		`<member><name>post_content</name><value>Body ` + tag + `</value></member><member><name>post_status</name><value>publish</value></member></struct></value></param></params></methodCall>`
	published := time.Now()
	resp, body := nodeGet(t, clients[0], "POST", "https://"+domain+"/xmlrpc.php", strings.NewReader(call), "text/xml")
	if resp.StatusCode != 200 || strings.Contains(body, "<fault>") || !regexp.MustCompile(`<string>\d+</string>`).MatchString(body) {
		t.Fatalf("XML-RPC wp.newPost: %s %s", resp.Status, body)
	}
	for i, n := range cl.nodes {
		got, body := xcache(i, home)
		if !strings.Contains(body, postTitle) {
			t.Errorf("the home page via node %s right after the publish (X-Cache %q) lacks the new post: that edge task was not purged", n.name, got)
		}
	}
	t.Logf("MEASURE publish to a fresh home page on all %d edge tasks: %s", len(cl.nodes), time.Since(published).Round(time.Millisecond))

	// The brute-force brake (default 10 a minute per client address, per
	// edge task): past ten login POSTs through one node, 429.
	bad := url.Values{"log": {"admin"}, "pwd": {"wrong-" + tag}, "wp-submit": {"Log In"}}.Encode()
	last := len(cl.nodes) - 1
	wantLoginBrake(t, func(int) *http.Response {
		resp, _ := nodeGet(t, clients[last], "POST", "https://"+domain+"/wp-login.php", strings.NewReader(bad), "application/x-www-form-urlencoded")
		return resp
	})

	// A changed configuration is a new secret: the edge rolls over to it on
	// every node, and the replaced secret goes.
	r = e.mustRun("up", name, "--hsts")
	t.Logf("MEASURE swarm edge reconfigured (--hsts: new secret, rolling edge update): %s", r.took.Round(100*time.Millisecond))
	for i, n := range cl.nodes {
		resp, _ := nodeGet(t, clients[i], "GET", home, nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("after up --hsts, GET / via node %s: %s, Strict-Transport-Security %q", n.name, resp.Status, resp.Header.Get("Strict-Transport-Security"))
		}
	}
	if n := len(strings.Fields(cl.node(0, "secret", "ls", "-q", "--filter", ns))); n != 6 {
		t.Errorf("after the edge's new configuration the stack has %d secrets, want 6 (the replaced one removed)", n)
	}

	r = e.mustRun("destroy", name, "--yes")
	t.Logf("MEASURE swarm destroy with --domain: %s", r.took.Round(100*time.Millisecond))
	for what, args := range map[string][]string{
		"services": {"service", "ls", "-q", "--filter", ns},
		"secrets":  {"secret", "ls", "-q", "--filter", ns},
	} {
		if out := cl.node(0, args...); out != "" {
			t.Errorf("destroy left %s: %s", what, out)
		}
	}
	if _, err := os.Stat(filepath.Join(e.home, "sites", name)); !os.IsNotExist(err) {
		t.Errorf("destroy left the site's state: %v", err)
	}
}
