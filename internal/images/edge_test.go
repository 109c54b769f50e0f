package images

import (
	"strings"
	"testing"
)

func TestEdgeRecipe(t *testing.T) {
	files, err := Recipe(RoleEdge)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = string(f.Data)
	}
	df, cfg := got["Dockerfile"], got["haproxy.cfg"]
	if !strings.Contains(df, "USER haproxy") || !strings.Contains(df, "ARG BASE=") {
		t.Error("the edge image must build on the base and run as the haproxy user")
	}
	if !strings.Contains(df, `ENTRYPOINT ["/usr/local/bin/wpstack-init", "run", "--", "/usr/sbin/haproxy"`) {
		t.Error("the edge image's PID 1 must be wpstack's, running HAProxy as its child")
	}
	for _, want := range []string{"nameserver dns 127.0.0.11:53", "server-template", "retry-on", "disable-l7-retry", "httpchk GET /.wpstack/health"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("haproxy.cfg lacks %q", want)
		}
	}
}
