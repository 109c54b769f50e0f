package images

import (
	"fmt"
	"strings"
)

// Release is a Debian release a stack of images is built from. Each has
// its own base image, built once, and its own images (the release is part
// of every recipe hash).
type Release string

const (
	// Trixie (Debian 13): WordPress 6.8, PHP 8.4, MariaDB 11.8. New sites get it.
	Trixie Release = "trixie"
	// Bookworm (Debian 12): WordPress 6.1, PHP 8.2, MariaDB 10.11. Sites made
	// before stacks existed have it.
	Bookworm Release = "bookworm"

	// DefaultRelease is the stack of a new site.
	DefaultRelease = Trixie
	// LegacyRelease is the stack of a site whose spec names none.
	LegacyRelease = Bookworm
)

// Releases are the known stacks, newest first.
var releases = []Release{Trixie, Bookworm}

// ReleaseInfo is what a release ships, for humans.
type ReleaseInfo struct {
	Debian string // "13"
	// Theme is the Debian package of the default theme shipped with its wordpress package.
	Theme string
}

func (r Release) info() (ReleaseInfo, bool) {
	switch r {
	case Trixie:
		return ReleaseInfo{Debian: "13", Theme: "twentytwentyfive"}, true
	case Bookworm:
		return ReleaseInfo{Debian: "12", Theme: "twentytwentythree"}, true
	}
	return ReleaseInfo{}, false
}

// ParseRelease checks a stack name; "" is the default for new sites.
func ParseRelease(s string) (Release, error) {
	if s == "" {
		return DefaultRelease, nil
	}
	r := Release(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := r.info(); ok {
		return r, nil
	}
	names := make([]string, len(releases))
	for i, k := range releases {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown stack %q: use one of %s (trixie: Debian 13, WordPress 6.8, PHP 8.4, MariaDB 11.8; bookworm: Debian 12, WordPress 6.1, PHP 8.2, MariaDB 10.11), e.g. --stack trixie", s, strings.Join(names, ", "))
}

// Newer says whether r is a newer stack than o.
func (r Release) Newer(o Release) bool { return r.rank() < o.rank() }

func (r Release) rank() int {
	for i, k := range releases {
		if k == r {
			return i
		}
	}
	return len(releases)
}

// or returns r, or LegacyRelease when r is empty: images and callers that
// predate stacks are bookworm.
func (r Release) or() Release {
	if r == "" {
		return LegacyRelease
	}
	return r
}

// BaseTagFor is the base image of a release: wpstack/base:<release>.
func BaseTagFor(r Release) string { return "wpstack/base:" + string(r.or()) }

// DebianVersion is the Debian major version of r ("12", "13").
func (r Release) DebianVersion() string {
	i, _ := r.or().info()
	return i.Debian
}

// Theme is the default theme the release's WordPress package comes with.
func (r Release) Theme() string {
	i, _ := r.or().info()
	return i.Theme
}
