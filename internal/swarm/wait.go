package swarm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/events"
)

// ErrRolledBack is wrapped when an update failed and swarm rolled it back.
var ErrRolledBack = fmt.Errorf("update rolled back")

// WaitOptions tune Wait.
type WaitOptions struct {
	Timeout time.Duration // default 5 minutes
	// Since: an update status started before it is an old one.
	Since time.Time
	// Rollback: the wait is for a rollback, so a completed rollback is success.
	Rollback bool
}

// Wait polls until every service of the stack has its tasks running
// (healthy, for services with a healthcheck) and no update in progress.
// An update that swarm rolled back is an error wrapping ErrRolledBack.
func (c *Cluster) Wait(ctx context.Context, stack string, opts WaitOptions) error {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	deadline := time.Now().Add(opts.Timeout)
	last := ""
	shown := map[string]bool{}
	for {
		pending, probs, err := c.pending(ctx, stack, opts)
		if err != nil {
			return err
		}
		// Task errors are shown as they appear, once each; one that
		// cannot clear by itself ends the wait.
		for _, p := range probs {
			if key := p.Service + "\x00" + p.Node + "\x00" + p.Err; !shown[key] {
				shown[key] = true
				events.Emit(ctx, "service "+p.Service, events.Warning, p.String())
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if stuck := permanent(probs); len(stuck) > 0 {
			return fmt.Errorf("stack %s cannot converge: %s (stopped waiting: swarm retried and the error stays)", stack, strings.Join(stuck, "; "))
		}
		if msg := strings.Join(pending, "; "); msg != last {
			events.Emit(ctx, "stack "+stack, events.Working, msg)
			last = msg
		}
		if time.Now().After(deadline) {
			seen := ""
			if len(probs) > 0 {
				seen = "; task errors: " + probs[0].String()
				if len(probs) > 1 {
					seen += fmt.Sprintf(" (and %d more)", len(probs)-1)
				}
			}
			return fmt.Errorf("stack %s did not converge within %s: %s%s (see `wpstack status %s` and `docker service ps %s_web --no-trunc`)", stack, opts.Timeout, strings.Join(pending, "; "), seen, stack, stack)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// permanent lists the problems that cannot clear by themselves, one per
// service and error, naming the nodes.
func permanent(probs []TaskProblem) []string {
	var order []string
	nodes := map[string][]string{}
	fix := map[string]string{}
	for _, p := range probs {
		if !p.Permanent {
			continue
		}
		key := fmt.Sprintf("service %s: task %s: %s", p.Service, p.State, p.Err)
		if _, ok := nodes[key]; !ok {
			order = append(order, key)
			nodes[key] = nil
		}
		if p.Node != "" && !contains(nodes[key], p.Node) {
			nodes[key] = append(nodes[key], p.Node)
		}
		fix[key] = p.Fix
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		where := ""
		if len(nodes[k]) > 0 {
			where = " (on node " + strings.Join(nodes[k], ", ") + ")"
		}
		out = append(out, k+where+"; "+fix[k])
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pending lists what is not converged yet, one phrase per service, and the
// task errors seen since the wait's start.
func (c *Cluster) pending(ctx context.Context, stack string, opts WaitOptions) ([]string, []TaskProblem, error) {
	svcs, err := c.stackServices(ctx, stack)
	if err != nil {
		return nil, nil, err
	}
	if len(svcs) == 0 {
		return nil, nil, fmt.Errorf("stack %s has no services", stack)
	}
	list, err := c.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("list swarm nodes: %w", err)
	}
	nodes, names, labels := 0, map[string]string{}, map[string]bool{}
	for _, nd := range list {
		if nd.Status.State == swarm.NodeStateReady && nd.Spec.Availability == swarm.NodeAvailabilityActive {
			nodes++
		}
		names[nd.ID] = nd.Description.Hostname
		for k, v := range nd.Spec.Labels {
			if v == "true" {
				labels[k] = true
			}
		}
	}
	var out []string
	var probs []TaskProblem
	for _, s := range svcs {
		if u := s.UpdateStatus; u != nil && u.StartedAt != nil && !u.StartedAt.Before(opts.Since.Add(-time.Second)) {
			switch u.State {
			case swarm.UpdateStateUpdating, swarm.UpdateStateRollbackStarted:
				out = append(out, fmt.Sprintf("%s: %s", s.Spec.Name, u.State))
				continue
			case swarm.UpdateStatePaused, swarm.UpdateStateRollbackPaused:
				return nil, nil, fmt.Errorf("service %s: update %s: %s", s.Spec.Name, u.State, u.Message)
			case swarm.UpdateStateRollbackCompleted:
				if !opts.Rollback {
					return nil, nil, fmt.Errorf("service %s: %w: %s", s.Spec.Name, ErrRolledBack, u.Message)
				}
			}
		}
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", s.ID))})
		if err != nil {
			return nil, nil, fmt.Errorf("list tasks of %s: %w", s.Spec.Name, err)
		}
		probs = append(probs, problems(s, tasks, opts.Since, names, labels)...)
		running, desired, stopping := 0, 0, 0
		for _, t := range tasks {
			live := t.Status.State == swarm.TaskStateRunning || t.Status.State == swarm.TaskStateStarting
			switch {
			case t.DesiredState == swarm.TaskStateRunning:
				desired++
				if t.Status.State == swarm.TaskStateRunning {
					running++
				}
			case live:
				// Scaled down or replaced, still serving: not done until it stops.
				stopping++
			}
		}
		want := nodes
		if r := s.Spec.Mode.Replicated; r != nil && r.Replicas != nil {
			want = int(*r.Replicas)
		}
		if running != want || desired != want {
			out = append(out, fmt.Sprintf("%s: %d/%d running", s.Spec.Name, running, want))
		} else if stopping > 0 {
			out = append(out, fmt.Sprintf("%s: %d stopping", s.Spec.Name, stopping))
		}
	}
	return out, probs, nil
}

func (c *Cluster) stackServices(ctx context.Context, stack string) ([]swarm.Service, error) {
	svcs, err := c.cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("label", LabelNamespace+"="+stack))})
	if err != nil {
		return nil, fmt.Errorf("list services of stack %s: %w", stack, err)
	}
	return svcs, nil
}
