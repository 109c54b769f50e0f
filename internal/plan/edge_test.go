package plan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

// A site with domains: the web publishes nothing and joins the internal
// edge network; the database stays on the private network alone.
func TestBuildDomainsGolden(t *testing.T) {
	s := site.Spec{Name: "shop", Title: "Shop", Domains: []string{"shop.test", "www.shop.test"}}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := Build(s, Inputs{WebImage: "wpstack/web:6.1.9-abc", DBImage: "wpstack/db:def", SecretsDir: "/state/sites/shop/secrets"})
	if err != nil {
		t.Fatal(err)
	}
	TrustEdge(p, "172.30.0.0/16")
	web, db := p.Services[site.ServiceWeb], p.Services[site.ServiceDB]
	if len(web.Ports) != 0 {
		t.Errorf("the web of a site with domains publishes %v", web.Ports)
	}
	if _, ok := db.Networks[NetworkEdge]; ok {
		t.Error("the database is on the edge network")
	}
	if n := p.Networks[NetworkEdge]; !n.Internal || n.Name != "shop_edge" {
		t.Errorf("edge network %+v, want internal shop_edge", n)
	}
	if v := web.Environment[EnvTrustedProxies]; v == nil || *v != "172.30.0.0/16" {
		t.Errorf("web trusts %v, want the edge network's subnet", v)
	}
	got, err := p.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "split-domains.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("plan differs from %s (run with -update if intended):\n%s", golden, got)
	}
}
