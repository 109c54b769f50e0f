package plan

import (
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

func domainStackSpec() site.Spec {
	s := site.Spec{Name: "shop", Target: site.TargetSwarm, Domains: []string{"shop.test", "www.shop.test"}}
	s.ApplyDefaults()
	return s
}

func testEdge() *StackEdge {
	return &StackEdge{HTTPPort: 80, HTTPSPort: 443, HTTPTarget: 8080, HTTPSTarget: 8443, Command: []string{"nginx"}, UID: 10080,
		Secrets: []EdgeSecret{
			{Key: "edge_conf", Name: "shop_edge_conf_aa", File: "/st/edge/stacks/shop.conf", Target: "/run/secrets/edge-nginx.conf"},
			{Key: "edge_key", Name: "shop_edge_key_bb", File: "/st/edge/conf/certs/shop.key", Target: "/run/secrets/edge-tls.key"},
		}}
}

func TestStackDomainEdge(t *testing.T) {
	spec := domainStackSpec()
	if err := spec.Validate(); err != nil {
		t.Fatalf("a swarm site with domains is refused: %v", err)
	}
	p, err := Build(spec, Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Stack(p, StackOptions{Replicas: 2, Registry: "reg:5000", SharedStorage: "/mnt/x", EdgeImage: "wpstack/edge-nginx:1", Edge: testEdge()})
	if err != nil {
		t.Fatal(err)
	}
	web, db, edge := s.Services[site.ServiceWeb], s.Services[site.ServiceDB], s.Services[ServiceEdge]
	if _, ok := edge.Networks[NetworkEdge]; !ok || len(edge.Networks) != 1 {
		t.Errorf("edge networks = %v, want the edge network alone", edge.Networks)
	}
	if _, ok := db.Networks[NetworkEdge]; ok {
		t.Error("the database is on the edge network")
	}
	if _, ok := web.Networks[NetworkEdge]; !ok || len(web.Ports) != 0 {
		t.Errorf("web: networks %v, ports %v; want the edge network and no port", web.Networks, web.Ports)
	}
	if s.Networks[NetworkEdge].Driver != "overlay" {
		t.Errorf("edge network driver %q, want overlay", s.Networks[NetworkEdge].Driver)
	}
	if got := *web.Environment[contract.EnvEdgePurge]; got != "http://tasks.edge:8081" {
		t.Errorf("web purges %q, want every edge task (tasks.edge)", got)
	}
	if edge.Image != "reg:5000/wpstack/edge-nginx:1" || edge.Deploy.Mode != "global" || edge.Deploy.EndpointMode != EndpointDNSRR {
		t.Errorf("edge: image %s, mode %s, endpoint %s", edge.Image, edge.Deploy.Mode, edge.Deploy.EndpointMode)
	}
	want := []types.ServicePortConfig{{Target: 8080, Published: "80", Protocol: "tcp", Mode: "host"}, {Target: 8443, Published: "443", Protocol: "tcp", Mode: "host"}}
	if len(edge.Ports) != 2 || !reflect.DeepEqual(edge.Ports, want) {
		t.Errorf("edge ports = %+v, want %+v", edge.Ports, want)
	}
	if len(edge.Environment) != 0 {
		t.Errorf("the edge has environment %v: its files are secrets", edge.Environment)
	}
	if len(edge.Secrets) != 2 {
		t.Fatalf("edge secrets = %+v", edge.Secrets)
	}
	for _, ref := range edge.Secrets {
		if ref.UID != "10080" || ref.GID != "10080" || ref.Mode == nil || *ref.Mode != 0o400 || !strings.HasPrefix(ref.Target, "/run/secrets/") {
			t.Errorf("edge secret %+v: want 0400, uid 10080, under /run/secrets", ref)
		}
		if sec, ok := s.Secrets[ref.Source]; !ok || !strings.HasPrefix(sec.Name, "shop_edge_") {
			t.Errorf("edge secret %s is not in the stack: %+v", ref.Source, s.Secrets)
		}
	}
	if !edge.ReadOnly || len(edge.CapDrop) != 1 || edge.CapDrop[0] != "ALL" {
		t.Errorf("edge hardening: read-only %v, cap_drop %v", edge.ReadOnly, edge.CapDrop)
	}
}

func TestStackDomainEdgeRefusals(t *testing.T) {
	spec := domainStackSpec()
	p, err := Build(spec, Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	plain := testSpec()
	pp, err := Build(plain, Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	noSecrets := testEdge()
	noSecrets.Secrets = nil
	for _, tt := range []struct {
		why  string
		p    *types.Project
		edge *StackEdge
		want string
	}{
		{"domains without the domain edge", p, nil, "want 1"},
		{"a published site with the domain edge", pp, testEdge(), "want none"},
		{"no secrets", p, noSecrets, "secrets"},
	} {
		_, err := Stack(tt.p, StackOptions{Replicas: 1, EdgeImage: "e", Edge: tt.edge})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.why, err, tt.want)
		}
	}
}
