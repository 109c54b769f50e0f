package site

import (
	"strings"
	"testing"
)

func TestACMESpec(t *testing.T) {
	s := Spec{Name: "blog", Domains: []string{"blog.example.com"}, TLS: TLSACME, ACMEEmail: "me@example.com"}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.ACMEDirectory != LetsEncrypt {
		t.Errorf("default directory %q, want Let's Encrypt's", s.ACMEDirectory)
	}
	for _, c := range []struct {
		mod  func(*Spec)
		want string
	}{
		{func(s *Spec) { s.ACMEEmail = "" }, "needs --acme-email"},
		{func(s *Spec) { s.ACMEEmail = "me@localhost" }, "invalid --acme-email"},
		{func(s *Spec) { s.ACMEEmail = "Me <me@example.com>" }, "invalid --acme-email"},
		{func(s *Spec) { s.ACMEDirectory = "http://ca.test/dir" }, "invalid --acme-directory"},
		{func(s *Spec) { s.ACMEDirectory = "https://user:pw@ca.test/dir" }, "invalid --acme-directory"},
		{func(s *Spec) { s.CertFile, s.KeyFile = "/c.pem", "/k.pem" }, "--cert and --key go with --tls cert"},
		{func(s *Spec) { s.TLS = TLSLocal }, "go with --tls acme"},
		{func(s *Spec) { s.Domains = nil }, "need at least one --domain"},
	} {
		b := Spec{Name: "blog", Domains: []string{"blog.example.com"}, TLS: TLSACME, ACMEEmail: "me@example.com"}
		c.mod(&b)
		b.ApplyDefaults()
		if err := b.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate = %v, want an error with %q", err, c.want)
		}
	}
}
