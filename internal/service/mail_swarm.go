package service

import (
	"context"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// mailboxExec runs `wpstack-init mailbox ARGS` where the site's mailbox is
// and returns its output and exit code.
type mailboxExec func(args ...string) (string, int, error)

// swarmMailbox reaches a swarm site's mailbox: it is in wp-content on the
// shared storage, where every node's replicas keep their mail, and is read
// through the data job on the manager, as backups read wp-content. The
// job's name is the site's, so the site's lock is held until done.
func (s *Service) swarmMailbox(ctx context.Context, spec site.Spec) (mailboxExec, func(), error) {
	unlock, err := s.store.Lock(ctx, spec.Name, func() {
		events.Emit(ctx, "site "+spec.Name, events.Info, "waiting for another wpstack command on this site to finish")
	})
	if err != nil {
		return nil, nil, err
	}
	r, err := s.reach(ctx, spec, false)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	exec := func(args ...string) (string, int, error) { return r.data.Mailbox(ctx, args...) }
	return exec, func() { r.close(); unlock() }, nil
}
