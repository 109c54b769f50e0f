package edge

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/wpstack/wpstack/internal/site"
)

func TestExplainACME(t *testing.T) {
	s := site.Spec{Name: "blog", Domains: []string{"blog.example.com", "www.blog.example.com"}, HTTPPort: 8000, ACMEDirectory: site.LetsEncrypt, ACMEEmail: "me@example.com"}
	prob := func(typ, detail string) *acme.Error {
		return &acme.Error{StatusCode: 400, ProblemType: "urn:ietf:params:acme:error:" + typ, Detail: detail}
	}
	authz := func(name string, e error) error {
		return &acme.AuthorizationError{Identifier: name, Errors: []error{e}}
	}
	limited := prob("rateLimited", "too many certificates (5) already issued for this exact set of identifiers")
	limited.StatusCode = 429
	limited.Header = http.Header{"Retry-After": {"3600"}}
	for _, tt := range []struct {
		name string
		err  error
		want []string
	}{
		{"no DNS record", authz("www.blog.example.com", prob("dns", "DNS problem: NXDOMAIN looking up A for www.blog.example.com")),
			[]string{"www.blog.example.com does not resolve", "NXDOMAIN", "A (or AAAA) record"}},
		{"no address, said as a connection", authz("blog.example.com", prob("connection", `could not resolve URL "http://blog.example.com:5002/.well-known/acme-challenge/x"`)),
			[]string{"blog.example.com does not resolve", "could not resolve URL"}},
		{"port 80 closed", authz("blog.example.com", prob("connection", "Timeout during connect (likely firewall problem)")),
			[]string{"could not connect to http://blog.example.com/ on port 80", "likely firewall problem", "--http-port 8000", "open the firewall"}},
		{"another machine answers", authz("blog.example.com", prob("unauthorized", "Invalid response from http://blog.example.com/.well-known/acme-challenge/x: 404")),
			[]string{"did not get this edge's answer", "Invalid response", "points at another machine"}},
		{"rate limit", limited, []string{"rate limit is hit", "5) already issued", "retry after", "(in 1h0m0s)"}},
		{"rate limit in an order", &acme.OrderError{Status: "invalid", Problem: prob("rateLimited", "slow down")}, []string{"rate limit is hit", "slow down", "retry later"}},
		{"subproblem", &acme.Error{ProblemType: "urn:ietf:params:acme:error:malformed", Detail: "some identifiers failed",
			Subproblems: []acme.Subproblem{{Type: "urn:ietf:params:acme:error:rejectedIdentifier", Detail: "no .test", Identifier: &acme.AuthzID{Type: "dns", Value: "www.blog.example.com"}}}},
			[]string{"refuses to issue for www.blog.example.com", "no .test", "--tls local"}},
		{"other problem", prob("serverInternal", "oops"), []string{"refused", "serverInternal", "oops"}},
		{"network", errors.New("dial tcp: connection refused"), []string{"at " + site.LetsEncrypt, "connection refused"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := explainACME(s, "", "validate", tt.err).Error()
			for _, w := range append(tt.want, `site "blog"`) {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
}

func TestDueWithin(t *testing.T) {
	now := time.Now()
	ca, err := LoadOrCreateCA(t.TempDir(), now)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue([]string{"a.test"}, now) // 90 days
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		names  []string
		before time.Duration
		due    bool
	}{
		{[]string{"a.test"}, 30 * 24 * time.Hour, false},
		{[]string{"a.test"}, 91 * 24 * time.Hour, true},
		{[]string{"a.test", "b.test"}, time.Hour, true},
	} {
		if got := dueWithin(leaf.CertPEM, tt.names, now, tt.before); got != tt.due {
			t.Errorf("dueWithin(%v, %s) = %v, want %v", tt.names, tt.before, got, tt.due)
		}
	}
	if !dueWithin([]byte("junk"), []string{"a.test"}, now, 0) {
		t.Error("an unreadable certificate is not due")
	}
}

func TestValidToken(t *testing.T) {
	for tok, ok := range map[string]bool{"abc-DEF_123": true, "": false, "../etc": false, "a/b": false, "a.b": false} {
		if validToken(tok) != ok {
			t.Errorf("validToken(%q) = %v", tok, !ok)
		}
	}
}

// A renewed certificate (same files, new bytes) changes the configuration,
// so the edge reloads and serves it.
func TestRenewedCertReloads(t *testing.T) {
	s := Site{Name: "a", Names: []string{"a.test"}, Backend: Backend("a-web-1"), Host: "a.test", ACME: true, CertID: certID([]byte("one"))}
	x, err := Render(Config{Sites: []Site{s}})
	if err != nil {
		t.Fatal(err)
	}
	s.CertID = certID([]byte("two"))
	y, _ := Render(Config{Sites: []Site{s}})
	if string(x) == string(y) || !strings.Contains(string(y), "(certificate "+s.CertID+")") {
		t.Error("a new certificate leaves the configuration as it was")
	}
}
