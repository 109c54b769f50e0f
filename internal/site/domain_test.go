package site

import (
	"strings"
	"testing"
)

func TestValidateDomain(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = valid
	}{
		{"blog.example.com", ""},
		{"shop.test", ""},
		{"a-b.c-d.test", ""},
		{"xn--bcher-kva.example", ""},
		{"", "empty domain"},
		{"Blog.example.com", "lowercase"},
		{"localhost", "one label"},
		{"*.example.com", "not a DNS label"},
		{"-a.example.com", "not a DNS label"},
		{"a..example.com", "not a DNS label"},
		{"blog.example.com.", "not a DNS label"},
		{"blog_1.example.com", "not a DNS label"},
		{"10.0.0.1", "IP address"},
		{"a.b c", "not a DNS label"},
		{"evil.test;return", "not a DNS label"},
		{strings.Repeat("a", 64) + ".test", "not a DNS label"},
		{strings.Repeat("abcdefghi.", 26) + "test", "253"},
	}
	for _, tt := range tests {
		err := ValidateDomain(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidateDomain(%q) = %v, want nil", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidateDomain(%q) = %v, want an error with %q", tt.in, err, tt.want)
		}
	}
}

func TestDomainSpec(t *testing.T) {
	s := Spec{Name: "shop", Domains: []string{"shop.test", "www.shop.test"}}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Port != 0 || s.TLS != TLSLocal || s.HTTPPort != 80 || s.HTTPSPort != 443 || s.Host != "shop.test" {
		t.Errorf("defaults: %+v", s)
	}
	if s.URL() != "https://shop.test/" || s.HostHeader() != "shop.test" {
		t.Errorf("URL %q, Host %q", s.URL(), s.HostHeader())
	}
	s.HTTPSPort = 8443
	if s.URL() != "https://shop.test:8443/" || s.HostHeader() != "shop.test:8443" {
		t.Errorf("URL %q, Host %q", s.URL(), s.HostHeader())
	}

	bad := []struct {
		mod  func(*Spec)
		want string
	}{
		{func(s *Spec) { s.Port = 8081 }, "drop --port"},
		{func(s *Spec) { s.Domains = append(s.Domains, "shop.test") }, "given twice"},
		{func(s *Spec) { s.TLS = "letsencrypt" }, "unknown TLS source"},
		{func(s *Spec) { s.TLS = TLSCert }, "--cert FILE and --key FILE"},
		{func(s *Spec) { s.TLS, s.CertFile, s.KeyFile = TLSCert, "c.pem", "k.pem" }, "absolute"},
		{func(s *Spec) { s.CertFile = "/c.pem" }, "go with --tls cert"},
		{func(s *Spec) { s.HTTPPort, s.HTTPSPort = 8080, 8080 }, "two different ports"},
		{func(s *Spec) { s.HTTPPort = 70000 }, "--http-port"},
		{func(s *Spec) { s.Layout = LayoutAllInOne }, "--layout split"},
		{func(s *Spec) { s.Host = "other.test" }, "drop --host"},
		{func(s *Spec) { s.Cache = "yes" }, "invalid --cache"},
		{func(s *Spec) { s.Target, s.TLS = TargetSwarm, "acme" }, "not offered on a swarm"},
	}
	for _, b := range bad {
		c := Spec{Name: "shop", Domains: []string{"shop.test", "www.shop.test"}}
		b.mod(&c)
		c.ApplyDefaults()
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Validate = %v, want an error with %q", err, b.want)
		}
	}
	for _, tls := range []string{TLSLocal, TLSCert} {
		sw := Spec{Name: "shop", Target: TargetSwarm, Domains: []string{"shop.test"}, TLS: tls}
		if tls == TLSCert {
			sw.CertFile, sw.KeyFile = "/c.pem", "/k.pem"
		}
		sw.ApplyDefaults()
		if err := sw.Validate(); err != nil {
			t.Errorf("a swarm site with --domain and --tls %s: %v", tls, err)
		}
	}
	plain := Spec{Name: "dev", HSTS: true}
	plain.ApplyDefaults()
	if err := plain.Validate(); err == nil || !strings.Contains(err.Error(), "need at least one --domain") {
		t.Errorf("--hsts without --domain: %v", err)
	}
}
