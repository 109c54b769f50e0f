package service

import (
	"context"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

func TestCheckDomains(t *testing.T) {
	s := &Service{store: state.Store{Root: t.TempDir()}}
	shop := site.Spec{Name: "shop", Domains: []string{"shop.test", "www.shop.test"}, HTTPPort: 8000, HTTPSPort: 8443}
	shop.ApplyDefaults()
	if err := s.store.Save(shop); err != nil {
		t.Fatal(err)
	}
	plain := site.Spec{Name: "dev", Port: 8081}
	plain.ApplyDefaults()
	if err := s.store.Save(plain); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec site.Spec
		want string
	}{
		{"another name, same ports", site.Spec{Name: "blog", Domains: []string{"blog.test"}, HTTPPort: 8000, HTTPSPort: 8443}, ""},
		{"the site itself again", shop, ""},
		{"a name another site has", site.Spec{Name: "blog", Domains: []string{"blog.test", "www.shop.test"}, HTTPPort: 8000, HTTPSPort: 8443}, `domain "www.shop.test" is already site "shop"'s`},
		{"other ports than the edge's", site.Spec{Name: "blog", Domains: []string{"blog.test"}}, "--http-port 8000 --https-port 8443"},
		{"no domain", site.Spec{Name: "tiny", Port: 8082}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := tt.spec
			sp.ApplyDefaults()
			err := s.checkDomains(sp)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("checkDomains = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestExportStackRefusesDomains(t *testing.T) {
	s := &Service{store: state.Store{Root: t.TempDir()}}
	shop := site.Spec{Name: "shop", Domains: []string{"shop.test"}}
	shop.ApplyDefaults()
	if err := s.store.Save(shop); err != nil {
		t.Fatal(err)
	}
	_, err := s.Export(context.Background(), ExportOptions{Name: "shop", Format: plan.FormatStack, Output: t.TempDir() + "/x.yaml"})
	if err == nil || !strings.Contains(err.Error(), "a stack's edge does not serve domains; use --format compose or --format dir") {
		t.Errorf("stack export of a site with domains: %v", err)
	}
}
