//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestEdgeUploadMax: --upload-max is the edge's body limit for that site
// (run under the edge lock: flock /tmp/wpstack-edge.lock). A body over it
// is refused by the edge (413) before it reaches PHP; one under it passes.
func TestEdgeUploadMax(t *testing.T) {
	e := newEnv(t)
	requireNoForeignEdge(t, e)
	cleanupEdge(t, e)
	httpPort, httpsPort := freePort(t), freePort(t)
	name, domain := siteName("pm-edge"), "pm-"+ctRandom()[:6]+".test"
	e.cleanupSite(name)
	e.mustRun("up", name, "--domain", domain, "--tls", "local", "--upload-max", "8M",
		"--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort))
	conf := ctMust(t, "exec", edgeContainer, "cat", "/etc/wpstack-edge/nginx.conf")
	site := conf[strings.Index(conf, "# site "+name):]
	if !strings.Contains(site, "client_max_body_size 8m;") {
		t.Fatalf("the edge's server for %s has no 8m body limit:\n%s", name, site)
	}
	_, roots := edgeRoots(t, e)
	h := newEdgeHTTP(t, roots, httpPort, httpsPort, false)
	u := h.url("https", domain, "/")
	resp, body := h.must("POST", u, bytes.NewReader(make([]byte, 9<<20)), map[string]string{"Content-Type": "application/octet-stream"})
	if resp.StatusCode != 413 {
		t.Errorf("a 9 MiB POST answered %s, want 413 from the edge: %.300s", resp.Status, body)
	}
	resp, body = h.must("POST", u, bytes.NewReader(make([]byte, 7<<20)), map[string]string{"Content-Type": "application/octet-stream"})
	if resp.StatusCode == 413 || resp.StatusCode >= 500 {
		t.Errorf("a 7 MiB POST answered %s, want it to reach WordPress: %.300s", resp.Status, body)
	}
}
