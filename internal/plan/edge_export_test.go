package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

func TestAddExportEdge(t *testing.T) {
	spec := site.Spec{Name: "shop", Domains: []string{"shop.test", "www.shop.test"}, HTTPPort: 8000, HTTPSPort: 8443}
	spec.ApplyDefaults()
	p, err := Build(spec, Inputs{WebImage: "wpstack/web:x", DBImage: "wpstack/db:x", SecretsDir: "/state/sites/shop/secrets"})
	if err != nil {
		t.Fatal(err)
	}
	if err := AddExportEdge(spec, p, ExportEdgeOptions{Image: "wpstack/edge-nginx:x", ConfDir: "/state/sites/shop/edge-export", ConfTarget: "/etc/wpstack-edge",
		ListenHTTP: 8080, ListenHTTPS: 8443, CacheDir: "/tmp/nginx-cache"}); err != nil {
		t.Fatal(err)
	}
	out, err := Render(context.Background(), p, RenderOptions{Format: FormatCompose})
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		"image: wpstack/edge-nginx:x", `published: "8000"`, `published: "8443"`, "target: 8080",
		"source: /state/sites/shop/edge-export", "target: /etc/wpstack-edge", "read_only: true",
		"- wpstack-edge", "name: shop_edge_public", "internal: true",
		"WPSTACK_TRUSTED_PROXIES: 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the export lacks %q:\n%s", want, got)
		}
	}
	// The database is on neither of the edge's networks; the web publishes nothing.
	db, web, e := p.Services[site.ServiceDB], p.Services[site.ServiceWeb], p.Services[ServiceDomainEdge]
	for n := range e.Networks {
		if _, ok := db.Networks[n]; ok {
			t.Errorf("the database shares network %q with the edge", n)
		}
	}
	if len(web.Ports) != 0 {
		t.Errorf("the web service publishes %v", web.Ports)
	}
	// A site without domains gets no edge.
	plain := site.Spec{Name: "dev", Port: 8081}
	plain.ApplyDefaults()
	q, _ := Build(plain, Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err := AddExportEdge(plain, q, ExportEdgeOptions{}); err != nil || len(q.Services) != 2 {
		t.Errorf("a site without domains: %v, %d services", err, len(q.Services))
	}
}
