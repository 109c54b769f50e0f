package service

import (
	"context"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/errdefs"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/site"
)

// CacheStatus is `wpstack cache status SITE`.
type CacheStatus struct {
	Site  string `json:"site"`
	Cache string `json:"cache"` // on or off
	// Size is the site's --cache-size, MaxBytes the same in bytes.
	Size     string `json:"cache_size"`
	MaxBytes int64  `json:"max_bytes"`
	edge.CacheCounts
	// Pages and Bytes are what the site holds in the edge's cache now.
	Pages int   `json:"pages"`
	Bytes int64 `json:"bytes"`
}

// cacheSite loads a site served by a running edge of this state directory.
func (s *Service) cacheSite(ctx context.Context, name string) (site.Spec, *edge.Manager, func(), error) {
	spec, err := s.store.Load(name)
	if err != nil {
		return spec, nil, nil, err
	}
	if !spec.HasDomains() {
		return spec, nil, nil, fmt.Errorf("site %q has no domain, so no edge cache: its pages come from WordPress itself (wpstack up %s --domain NAME puts it behind the edge)", name, name)
	}
	if spec.Target == site.TargetSwarm {
		return spec, nil, nil, fmt.Errorf("site %q runs on a swarm: its cache lives in one edge task per node, which the manager's Engine API cannot reach; the site's plugin purges every task on publish, and pages expire within a minute (wpstack cache works on one engine's edge)", name)
	}
	cli, err := s.connect(ctx)
	if err != nil {
		return spec, nil, nil, err
	}
	c, err := cli.ContainerInspect(ctx, edge.ContainerName)
	switch {
	case errdefs.IsNotFound(err):
		cli.Close()
		return spec, nil, nil, fmt.Errorf("no edge runs on this engine: start site %q with wpstack up %s", name, name)
	case err != nil:
		cli.Close()
		return spec, nil, nil, fmt.Errorf("inspect the edge: %w", err)
	case c.Config.Labels[edge.LabelHome] != s.store.Root || !c.State.Running:
		cli.Close()
		return spec, nil, nil, fmt.Errorf("the edge on this engine is not running for this state directory (%s): wpstack up %s starts it", s.store.Root, name)
	}
	return spec, &edge.Manager{Cli: cli, Root: s.store.Root}, func() { cli.Close() }, nil
}

// CachePurge drops a site's pages from the edge's cache: the one at path,
// or all of them with path "". It returns how many were dropped.
func (s *Service) CachePurge(ctx context.Context, name, path string) (int, error) {
	if path != "" {
		if err := edge.ValidPurgePath(path); err != nil {
			return 0, err
		}
	}
	spec, m, done, err := s.cacheSite(ctx, name)
	if err != nil {
		return 0, err
	}
	defer done()
	return m.Purge(ctx, spec.CanonicalHost(), path)
}

// CacheStatusOf counts a site's hits, misses and bypasses in the edge's
// access log (since the edge container started) and measures what it holds.
func (s *Service) CacheStatusOf(ctx context.Context, name string) (CacheStatus, error) {
	spec, m, done, err := s.cacheSite(ctx, name)
	if err != nil {
		return CacheStatus{Site: name}, err
	}
	defer done()
	if spec.CacheSize == "" { // stored before --cache-size: the default applies
		spec.CacheSize = site.DefaultCacheSize
	}
	st := CacheStatus{Site: name, Cache: spec.Cache, Size: spec.CacheSize}
	if st.MaxBytes, st.Size, err = site.ParseCacheSize(spec.CacheSize); err != nil {
		return st, fmt.Errorf("site %q: %w", name, err)
	}
	rc, err := m.Cli.ContainerLogs(ctx, edge.ContainerName, container.LogsOptions{ShowStdout: true})
	if err != nil {
		return st, fmt.Errorf("read the edge's access log: %w", err)
	}
	defer rc.Close()
	pr, pw := io.Pipe()
	go func() { _, err := stdcopy.StdCopy(pw, io.Discard, rc); pw.CloseWithError(err) }()
	if st.CacheCounts, err = edge.CountCache(pr, spec.Domains); err != nil {
		return st, fmt.Errorf("read the edge's access log: %w", err)
	}
	if st.Pages, st.Bytes, err = m.CacheUsage(ctx, spec.CanonicalHost()); err != nil {
		return st, err
	}
	return st, nil
}
