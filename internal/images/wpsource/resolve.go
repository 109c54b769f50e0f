// Package wpsource turns a WordPress source spec (official release URL,
// local archive or folder, or Debian's package) into a plain WordPress tree
// on the host, with its version and a content hash.
package wpsource

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images/dockerbuild"
)

// Defaults for Options.
const (
	DefaultLatestURL    = "https://wordpress.org/latest.tar.gz"
	DefaultBaseImage    = "wpstack/base:bookworm"
	DefaultTheme        = "twentytwentythree" // bookworm's
	DefaultProbeTimeout = 2 * time.Second
)

// Options says where to find WordPress and where to keep it.
type Options struct {
	Spec     string // see ParseSpec
	CacheDir string // default DefaultCacheDir(); trees go under CacheDir/wordpress
	// Engine and BaseImage are needed only for the debian source (cold cache).
	Engine          dockerbuild.Engine
	BaseImage       string // default DefaultBaseImage
	Theme           string // the default theme's Debian package, wordpress-theme-<Theme>; default DefaultTheme
	DebianImageRepo string // default DefaultDebianImageRepo
	NoCache         bool   // rebuild the Debian extraction image
	// HTTPClient defaults to a client with a 10-minute overall timeout.
	HTTPClient   *http.Client
	LatestURL    string        // default DefaultLatestURL
	ProbeTimeout time.Duration // how long the default spec waits for wordpress.org
}

// Source is a resolved WordPress tree.
type Source struct {
	Dir         string // the plain tree (wp-admin, wp-content, wp-includes, …)
	Kind        Kind   // which form was used (never KindDefault)
	Version     string // $wp_version
	Hash        string // HashTree(Dir)
	Description string // for humans: what was used and how it was checked
	Cached      bool   // true when nothing was downloaded or unpacked
}

const resource = "wordpress source"

// Resolve finds, checks and unpacks the WordPress source named by opts.Spec.
func Resolve(ctx context.Context, opts Options) (Source, error) {
	spec, err := ParseSpec(opts.Spec)
	if err != nil {
		return Source{}, err
	}
	if err := opts.defaults(); err != nil {
		return Source{}, err
	}
	c := cache{dir: opts.CacheDir}
	var src Source
	switch spec.Kind {
	case KindDefault:
		src, err = resolveDefault(ctx, c, opts)
	case KindURL:
		src, err = resolveURL(ctx, c, opts, spec.Value)
	case KindArchive:
		src, err = resolveArchive(c, spec.Value)
	case KindFolder:
		src, err = resolveFolder(spec.Value)
	case KindDebian:
		src, err = resolveDebian(ctx, c, opts)
	}
	if err != nil {
		return Source{}, err
	}
	events.Emit(ctx, resource, events.Done, src.Description)
	return src, nil
}

func (o *Options) defaults() error {
	if o.CacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return err
		}
		o.CacheDir = d
	}
	o.CacheDir = filepath.Join(o.CacheDir, "wordpress")
	if o.BaseImage == "" {
		o.BaseImage = DefaultBaseImage
	}
	if o.Theme == "" {
		o.Theme = DefaultTheme
	}
	if o.DebianImageRepo == "" {
		o.DebianImageRepo = DefaultDebianImageRepo
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Minute}
	}
	if o.LatestURL == "" {
		o.LatestURL = DefaultLatestURL
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = DefaultProbeTimeout
	}
	return nil
}

// resolveDefault uses the official latest release when wordpress.org answers
// quickly, and Debian's package otherwise, so the default works offline.
func resolveDefault(ctx context.Context, c cache, opts Options) (Source, error) {
	pctx, cancel := context.WithTimeout(ctx, opts.ProbeTimeout)
	err := reachable(pctx, opts.HTTPClient, opts.LatestURL)
	cancel()
	if err == nil {
		return resolveURL(ctx, c, opts, opts.LatestURL)
	}
	events.Emit(ctx, resource, events.Info, fmt.Sprintf("%s not reachable (%v); using Debian's wordpress package", opts.LatestURL, err))
	return resolveDebian(ctx, c, opts)
}
