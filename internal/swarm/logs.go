package swarm

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/docker/docker/api/types/container"
	"golang.org/x/sync/errgroup"

	"github.com/wpstack/wpstack/internal/dockerclient"
)

// LogsOptions select the stack services' logs.
type LogsOptions struct {
	Services []string // short names (web, db, edge, cron)
	Follow   bool
	Tail     string // "all" or a number
	Out      io.Writer
}

// Logs copies the services' logs, from every task on every node, to
// opts.Out; each line is prefixed by its service and task slot.
func (c *Cluster) Logs(ctx context.Context, stack string, opts LogsOptions) error {
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	for _, svc := range opts.Services {
		name := ServiceName(stack, svc)
		g.Go(func() error {
			rc, err := c.cli.ServiceLogs(ctx, name, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: opts.Follow, Tail: opts.Tail, Details: false})
			if err != nil {
				return fmt.Errorf("logs of service %s (is the site up? `wpstack status %s`): %w", name, stack, err)
			}
			defer rc.Close()
			return dockerclient.CopyLogLines(ctx, rc, opts.Out, &mu, dockerclient.LinePrefix(svc), name)
		})
	}
	return g.Wait()
}
