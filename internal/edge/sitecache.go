package edge

import (
	"fmt"
	"sort"

	"github.com/wpstack/wpstack/internal/site"
)

// Each site has a cache zone of its own, so --cache-size bounds that
// site's pages alone: one busy site never evicts another's.

// CacheSite fills a site's cache bound from --cache-size (bytes, and as
// nginx writes it): max_size of its zone, and keys for its pages at 8 KiB
// or more each (nginx keeps about 8 000 keys per MiB of keys_zone).
func (s *Site) CacheSite(bytes int64, size string) {
	s.CacheSize = size
	keys := bytes >> 26 // MiB of keys: one per 64 MiB of pages
	s.CacheKeys = fmt.Sprintf("%dm", max(keys, 1))
}

// cacheFrom sets the site's bound from its spec and notes its bytes.
func (s *Site) cacheFrom(spec site.Spec, bytes map[string]int64) error {
	size := spec.CacheSize
	if size == "" {
		size = site.DefaultCacheSize
	}
	b, n, err := site.ParseCacheSize(size)
	if err != nil {
		return fmt.Errorf("site %q: %w", spec.Name, err)
	}
	s.CacheSite(b, n)
	if spec.Cache == site.CacheOn {
		bytes[spec.Name] = b
	}
	return nil
}

// cacheZone is the name of a site's cache zone.
func cacheZone(site string) string { return "wpstack_pages_" + site }

// Redirect is one name of a site that answers 301 to another of its names
// (--www-redirect).
type Redirect struct{ From, To string }

// Redirects turns a map of names into a sorted list.
func Redirects(m map[string]string) []Redirect {
	var out []Redirect
	for f, t := range m {
		out = append(out, Redirect{From: f, To: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// served are the names of s that reach the site (not redirected).
func served(s Site) []string {
	from := map[string]bool{}
	for _, r := range s.Redirects {
		from[r.From] = true
	}
	var out []string
	for _, n := range s.Names {
		if !from[n] {
			out = append(out, n)
		}
	}
	return out
}

// cacheTmpfs is the tmpfs mount of the sites' caches, apart from /tmp
// (request bodies, temporary files): no size, so the kernel's ceiling,
// half the host's memory, and checkCacheRoom keeps the sites' bounds
// under it.
const cacheTmpfs = ""

// checkCacheRoom refuses sites whose --cache-size add up to more than the
// cache tmpfs can hold (half of memTotal): nginx would fail to store
// pages before any site's bound evicts them.
func checkCacheRoom(sizes map[string]int64, memTotal int64) error {
	var sum int64
	for _, b := range sizes {
		sum += b
	}
	if memTotal <= 0 || sum <= memTotal/2 {
		return nil
	}
	return fmt.Errorf("the sites' --cache-size add up to %d MiB, more than the edge's cache can hold on this engine (half its %d MiB of memory): give some sites a smaller --cache-size (wpstack up SITE --cache-size 16m)", sum>>20, memTotal>>20)
}
