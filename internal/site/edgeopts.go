package site

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DefaultCacheSize bounds one site's pages in the edge's cache when
// --cache-size is not given: some 600 WordPress pages of 50 KiB.
const DefaultCacheSize = "32m"

// MaxCacheSize is the largest --cache-size of one site.
const MaxCacheSize = 16 << 30

var cacheSizeRE = regexp.MustCompile(`^([1-9][0-9]{0,5})([mg])$`)

// ParseCacheSize reads --cache-size Nm or Ng (MiB, GiB) and returns its
// bytes and nginx's spelling of it.
func ParseCacheSize(v string) (bytes int64, nginx string, err error) {
	m := cacheSizeRE.FindStringSubmatch(strings.ToLower(v))
	if m == nil {
		return 0, "", fmt.Errorf("invalid --cache-size %q: give the most the edge may hold of the site's pages as Nm (MiB) or Ng (GiB), e.g. --cache-size 64m (default %s)", v, DefaultCacheSize)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	bytes = n << 20
	if m[2] == "g" {
		bytes = n << 30
	}
	if bytes > MaxCacheSize {
		return 0, "", fmt.Errorf("invalid --cache-size %q: at most %dg per site", v, MaxCacheSize>>30)
	}
	return bytes, m[1] + m[2], nil
}

// Values of --www-redirect: between a bare name and its www. name, both
// given with --domain.
const (
	WWWOff    = "off"
	WWWToBare = "to-bare" // www.example.com → example.com
	WWWToWWW  = "to-www"  // example.com → www.example.com
)

// WWWRedirects maps each name that redirects to the name it redirects to,
// for a site's domains and --www-redirect: every pair of a bare name and
// its www. name among the domains.
func WWWRedirects(domains []string, mode string) map[string]string {
	if mode != WWWToBare && mode != WWWToWWW {
		return nil
	}
	have := map[string]bool{}
	for _, d := range domains {
		have[d] = true
	}
	out := map[string]string{}
	for _, d := range domains {
		bare, ok := strings.CutPrefix(d, "www.")
		if !ok || !have[bare] {
			continue
		}
		if mode == WWWToBare {
			out[d] = bare
		} else {
			out[bare] = d
		}
	}
	return out
}

// validateEdgeOptions checks --cache-size and --www-redirect of a site
// with domains.
func (s *Spec) validateEdgeOptions() error {
	if _, _, err := ParseCacheSize(s.CacheSize); err != nil {
		return err
	}
	switch s.WWWRedirect {
	case WWWOff:
		return nil
	case WWWToBare, WWWToWWW:
	default:
		return fmt.Errorf("invalid --www-redirect %q: use to-bare (www.NAME answers 301 to NAME), to-www (NAME answers 301 to www.NAME) or off", s.WWWRedirect)
	}
	first := s.Domains[0]
	bare, isWWW := strings.CutPrefix(first, "www.")
	want, target := "www."+first, first
	if s.WWWRedirect == WWWToWWW {
		if !isWWW {
			return fmt.Errorf("--www-redirect to-www sends visitors to the www. name, so it must be the site's first --domain (its URL): give --domain www.%s --domain %s", first, first)
		}
		want = bare
	} else if isWWW {
		return fmt.Errorf("--www-redirect to-bare sends visitors to the bare name, so it must be the site's first --domain (its URL): give --domain %s --domain %s", bare, first)
	}
	if len(WWWRedirects(s.Domains, s.WWWRedirect)) == 0 || !slices.Contains(s.Domains, want) {
		return fmt.Errorf("--www-redirect %s needs both %s and %s as --domain (one certificate holds both): add --domain %s", s.WWWRedirect, target, want, want)
	}
	return nil
}
