package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"golang.org/x/sync/errgroup"

	"github.com/wpstack/wpstack/internal/dockerclient"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// Logs copies the services' logs to opts.Out; with several services each
// line is prefixed by its service name, as compose does.
func (e *Engine) Logs(ctx context.Context, s site.Spec, opts target.LogsOptions) error {
	services := opts.Services
	if len(services) == 0 {
		services = s.Services()
	}
	for _, svc := range services {
		if !slices.Contains(s.Services(), svc) {
			return fmt.Errorf("site %q has no service %q: use --service %s", s.Name, svc, strings.Join(s.Services(), " or --service "))
		}
	}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	for _, svc := range services {
		svc := svc
		name := s.ContainerName(svc)
		g.Go(func() error {
			rc, err := e.cli.ContainerLogs(ctx, name, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: opts.Follow, Tail: opts.Tail})
			if err != nil {
				return fmt.Errorf("logs of %s (is the site up? `wpstack status %s`): %w", name, s.Name, err)
			}
			defer rc.Close()
			prefix := ""
			if len(services) > 1 {
				prefix = dockerclient.LinePrefix(svc)
			}
			return dockerclient.CopyLogLines(ctx, rc, opts.Out, &mu, prefix, name)
		})
	}
	return g.Wait()
}
