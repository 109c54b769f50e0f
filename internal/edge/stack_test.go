package edge

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

func TestStackConfig(t *testing.T) {
	s := site.Spec{Name: "shop", Target: site.TargetSwarm, Domains: []string{"shop.test", "www.shop.test"}}
	s.ApplyDefaults()
	conf, err := StackConfig(s, []byte("salts"))
	if err != nil {
		t.Fatal(err)
	}
	c := string(conf)
	for _, want := range []string{
		"set $wpstack_backend tasks.web:80;",
		"ssl_certificate /run/secrets/edge-tls.crt;",
		"ssl_certificate_key /run/secrets/edge-tls.key;",
		"server_name shop.test www.shop.test;",
		`"` + PurgeToken([]byte("salts")) + `"`,
		"proxy_cache wpstack_pages_shop;",
		"rate=10r/m",
	} {
		if !strings.Contains(c, want) {
			t.Errorf("the swarm edge's configuration lacks %q", want)
		}
	}
	if strings.Contains(c, ConfDir+"/certs") {
		t.Error("the swarm edge's configuration reads certificates from the single-engine folder")
	}
	noDomain := site.Spec{Name: "blog", Target: site.TargetSwarm}
	noDomain.ApplyDefaults()
	for _, tt := range []struct {
		why   string
		s     site.Spec
		salts []byte
	}{{"no domain", noDomain, []byte("x")}, {"no salts", s, nil}} {
		if _, err := StackConfig(tt.s, tt.salts); err == nil {
			t.Errorf("%s: rendered", tt.why)
		}
	}
}
