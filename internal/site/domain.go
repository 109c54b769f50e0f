package site

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// TLS sources of a site with domains.
const (
	TLSLocal = "local" // a leaf from wpstack's own CA, made offline
	TLSCert  = "cert"  // the user's PEM certificate and key
	TLSACME  = "acme"  // from an ACME CA over HTTP-01 (see acme.go)
)

// Values of --cache. Off by default until the cache is purged on publish:
// a cached page may be up to a minute old.
const (
	CacheOn  = "on"
	CacheOff = "off"
)

// Default public ports of the edge.
const (
	DefaultHTTPPort  = 80
	DefaultHTTPSPort = 443
)

// MaxDomains bounds --domain per site (one certificate holds them all).
const MaxDomains = 20

// dnsLabelRE is one label of a host name (RFC 1123): letters, digits and
// inner dashes, at most 63 characters.
var dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateDomain checks one name given with --domain: a lowercase DNS name
// of at least two labels, no wildcard, no IP address, no trailing dot.
func ValidateDomain(d string) error {
	fix := "give a DNS name such as blog.example.com with --domain"
	if d == "" {
		return fmt.Errorf("empty domain: %s", fix)
	}
	if d != strings.ToLower(d) {
		return fmt.Errorf("invalid domain %q: use lowercase (%q)", d, strings.ToLower(d))
	}
	if len(d) > 253 {
		return fmt.Errorf("invalid domain %q: longer than 253 characters; %s", d, fix)
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return fmt.Errorf("invalid domain %q: a name of one label cannot get a certificate; %s (for local tests, a name like blog.test)", d, fix)
	}
	for _, l := range labels {
		if !dnsLabelRE.MatchString(l) {
			return fmt.Errorf("invalid domain %q: label %q is not a DNS label (letters, digits and inner dashes, 1-63 characters; no wildcard); %s", d, l, fix)
		}
	}
	if isIP(d) {
		return fmt.Errorf("invalid domain %q: an IP address is not a domain; publish the site with --port instead", d)
	}
	return nil
}

// HasDomains says whether the site is served by the edge under its domains
// rather than published on a port of its own.
func (s *Spec) HasDomains() bool { return len(s.Domains) > 0 }

// validateDomains checks the edge fields of a defaulted spec.
func (s *Spec) validateDomains() error {
	if !s.HasDomains() {
		if s.TLS != "" || s.CertFile != "" || s.KeyFile != "" || s.HSTS || s.HTTPPort != 0 || s.HTTPSPort != 0 || s.Cache != "" || s.LoginRate != "" || s.CacheSize != "" || s.WWWRedirect != "" || s.ACMEEmail != "" || s.ACMEDirectory != "" {
			return fmt.Errorf("--tls, --cert, --key, --acme-email, --acme-directory, --hsts, --cache, --cache-size, --www-redirect, --login-rate, --http-port and --https-port need at least one --domain")
		}
		return nil
	}
	if s.Layout != LayoutSplit {
		return fmt.Errorf("--domain needs --layout split: the edge reaches the web container only, never the database")
	}
	if len(s.Domains) > MaxDomains {
		return fmt.Errorf("%d domains for site %q: give at most %d with --domain", len(s.Domains), s.Name, MaxDomains)
	}
	seen := map[string]bool{}
	for _, d := range s.Domains {
		if err := ValidateDomain(d); err != nil {
			return err
		}
		if seen[d] {
			return fmt.Errorf("domain %q is given twice: give each name once with --domain", d)
		}
		seen[d] = true
	}
	if s.Target == TargetSwarm && s.TLS != TLSLocal && s.TLS != TLSCert {
		// An ACME challenge reaches whichever node the CA picks (docs/swarm.md).
		return fmt.Errorf("--tls %s is not offered on a swarm: use --tls local, or --tls cert --cert FILE --key FILE with a certificate obtained elsewhere", s.TLS)
	}
	if s.TLS != TLSACME && (s.ACMEEmail != "" || s.ACMEDirectory != "") {
		return fmt.Errorf("--acme-email and --acme-directory go with --tls acme")
	}
	switch s.TLS {
	case TLSACME:
		if err := s.validateACME(); err != nil {
			return err
		}
	case TLSLocal:
		if s.CertFile != "" || s.KeyFile != "" {
			return fmt.Errorf("--cert and --key go with --tls cert; with --tls local wpstack makes the certificate")
		}
	case TLSCert:
		if s.CertFile == "" || s.KeyFile == "" {
			return fmt.Errorf("--tls cert needs both --cert FILE and --key FILE (PEM)")
		}
		if !filepath.IsAbs(s.CertFile) || !filepath.IsAbs(s.KeyFile) {
			return fmt.Errorf("--cert and --key must be absolute paths (got %q, %q)", s.CertFile, s.KeyFile)
		}
	default:
		return fmt.Errorf("unknown TLS source %q: use --tls local (wpstack's own CA, offline), --tls acme --acme-email ADDRESS (Let's Encrypt) or --tls cert --cert FILE --key FILE", s.TLS)
	}
	switch s.Cache {
	case CacheOn, CacheOff:
	default:
		return fmt.Errorf("invalid --cache %q: use --cache on (anonymous pages served by the edge) or --cache off", s.Cache)
	}
	if _, _, err := ParseLoginRate(s.LoginRate); err != nil {
		return err
	}
	if err := s.validateEdgeOptions(); err != nil {
		return err
	}
	for _, p := range []struct {
		flag string
		v    int
	}{{"--http-port", s.HTTPPort}, {"--https-port", s.HTTPSPort}} {
		if p.v < 1 || p.v > 65535 {
			return fmt.Errorf("invalid port %d: choose one between 1 and 65535 with %s", p.v, p.flag)
		}
	}
	if s.HTTPPort == s.HTTPSPort {
		return fmt.Errorf("--http-port and --https-port are both %d: give two different ports", s.HTTPPort)
	}
	return nil
}

// applyDomainDefaults fills the edge fields of a site with domains.
func (s *Spec) applyDomainDefaults() {
	if !s.HasDomains() {
		return
	}
	if s.TLS == "" {
		s.TLS = TLSLocal
	}
	if s.TLS == TLSACME && s.ACMEDirectory == "" {
		s.ACMEDirectory = LetsEncrypt
	}
	if s.HTTPPort == 0 {
		s.HTTPPort = DefaultHTTPPort
	}
	if s.Cache == "" {
		s.Cache = CacheOn
	}
	if s.HTTPSPort == 0 {
		s.HTTPSPort = DefaultHTTPSPort
	}
	if s.LoginRate == "" {
		s.LoginRate = DefaultLoginRate
	}
	if s.CacheSize == "" {
		s.CacheSize = DefaultCacheSize
	}
	if s.WWWRedirect == "" {
		s.WWWRedirect = WWWOff
	}
}

// DefaultLoginRate: a person mistyping a password never meets it; a
// password-guessing script gets 14 400 tries a day instead of millions.
const DefaultLoginRate = "10/m"

var loginRateRE = regexp.MustCompile(`^([1-9][0-9]{0,4})/([sm])$`)

// ParseLoginRate reads --login-rate N/m or N/s: the count and the unit.
func ParseLoginRate(v string) (n int, unit string, err error) {
	m := loginRateRE.FindStringSubmatch(v)
	if m == nil {
		return 0, "", fmt.Errorf("invalid --login-rate %q: give login POSTs per client address as N/m (a minute) or N/s, N from 1 to 99999, e.g. --login-rate 10/m", v)
	}
	n, _ = strconv.Atoi(m[1])
	return n, m[2], nil
}

// EdgeNetworkName is the network the site's web container shares with the
// edge, and nothing else.
func (s *Spec) EdgeNetworkName() string { return s.Name + "_edge" }

// CanonicalHost is the host (with the port when it is not 443) WordPress
// stores in its URL, and the Host header the edge sends it.
func (s *Spec) CanonicalHost() string {
	if s.HTTPSPort == DefaultHTTPSPort {
		return s.Domains[0]
	}
	return fmt.Sprintf("%s:%d", s.Domains[0], s.HTTPSPort)
}
