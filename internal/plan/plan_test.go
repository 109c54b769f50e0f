package plan

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testSpec() site.Spec {
	s := site.Spec{Name: "blog", Title: "My Blog", Port: 8080}
	s.ApplyDefaults()
	return s
}

func TestBuildGolden(t *testing.T) {
	p, err := Build(testSpec(), Inputs{WebImage: "wpstack/web:6.1.9-abc", DBImage: "wpstack/db:def", SecretsDir: "/state/sites/blog/secrets"})
	if err != nil {
		t.Fatal(err)
	}
	goldenCompare(t, p, "split.golden.yaml")
}

func TestPlanInvariants(t *testing.T) {
	p, err := Build(testSpec(), Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	db, web := p.Services[site.ServiceDB], p.Services[site.ServiceWeb]
	if len(db.Ports) != 0 {
		t.Errorf("db publishes ports: %v", db.Ports)
	}
	if len(web.Ports) != 1 || web.Ports[0].Published != "8080" || web.Ports[0].Target != 80 {
		t.Errorf("web ports = %+v", web.Ports)
	}
	for _, svc := range []string{site.ServiceDB, site.ServiceWeb} {
		s := p.Services[svc]
		if s.HealthCheck == nil {
			t.Errorf("%s has no healthcheck", svc)
		}
		if s.Labels[site.LabelSite] != "blog" {
			t.Errorf("%s not labelled with its site", svc)
		}
		for k, v := range s.Environment {
			if strings.Contains(strings.ToUpper(k), "PASSWORD") && !strings.HasSuffix(k, "_FILE") {
				t.Errorf("%s passes a secret in its environment: %s=%v", svc, k, *v)
			}
		}
	}
	for name, sec := range p.Secrets {
		if sec.File != filepath.Join("/s", name) {
			t.Errorf("secret %s file = %q", name, sec.File)
		}
	}
	order, err := Order(p)
	if err != nil || strings.Join(order, ",") != "db,web" {
		t.Errorf("Order = %v, %v", order, err)
	}
	if _, err := Build(testSpec(), Inputs{}); err == nil {
		t.Error("a plan without images was accepted")
	}
}
