package swarm

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
	"golang.org/x/sync/errgroup"
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
			pr, pw := io.Pipe()
			go func() {
				_, err := stdcopy.StdCopy(pw, pw, rc)
				pw.CloseWithError(err)
			}()
			sc := bufio.NewScanner(pr)
			sc.Buffer(make([]byte, 64*1024), 1<<20)
			for sc.Scan() {
				mu.Lock()
				fmt.Fprintf(opts.Out, "%-4s | %s\n", svc, sc.Text())
				mu.Unlock()
			}
			if err := sc.Err(); err != nil && ctx.Err() == nil {
				return fmt.Errorf("read logs of %s: %w", name, err)
			}
			return nil
		})
	}
	return g.Wait()
}
