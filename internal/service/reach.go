package service

import (
	"context"
	"fmt"

	"github.com/wpstack/wpstack/internal/backup/enginesite"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/swarm"
	"github.com/wpstack/wpstack/internal/target"
)

// reached is a running site's data as backups and restores reach it, on
// either target, and what to do when done with it.
type reached struct {
	data   enginesite.Site
	target target.Target
	close  func()
}

// reach connects to the site's target, checks the site runs, and returns
// its data: a local site's own containers, or on a swarm a data job on the
// manager (write: wp-content mounted read-write, for a restore). The
// caller holds the site's lock and calls close.
func (s *Service) reach(ctx context.Context, spec site.Spec, write bool) (reached, error) {
	t, err := s.open(ctx, spec)
	if err != nil {
		return reached{}, err
	}
	ts, err := t.Status(ctx, spec)
	if err != nil {
		t.Close()
		return reached{}, err
	}
	if st := ts.State; st != target.Running {
		t.Close()
		return reached{}, fmt.Errorf("site %q is %s: start it with `wpstack up %s` first", spec.Name, st, spec.Name)
	}
	cli, err := s.connect(ctx)
	if err != nil {
		t.Close()
		return reached{}, err
	}
	r := reached{data: enginesite.Site{Cli: cli, Spec: spec}, target: t, close: func() { cli.Close(); t.Close() }}
	if spec.Target != site.TargetSwarm {
		return r, nil
	}
	cl := swarm.New(cli)
	job, err := cl.StartDataJob(ctx, swarm.DataJobOptions{Stack: spec.StackName(), Write: write})
	if err != nil {
		r.close()
		return reached{}, fmt.Errorf("reach the data of swarm site %q: %w", spec.Name, err)
	}
	r.data.Route = &enginesite.Route{Container: job.Container, User: job.User, DBHost: job.DBHost,
		DBSecret: job.DBSecret, Content: job.Content, WordPressVersion: ts.WordPressVersion}
	closeConn := r.close
	r.close = func() {
		_ = cl.RemoveDataJob(ctx, job)
		closeConn()
	}
	return r, nil
}
