package swarm

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/events"
)

// Scale sets the replicas of one replicated service of the stack.
func (c *Cluster) Scale(ctx context.Context, stack, service string, replicas int) error {
	name := ServiceName(stack, service)
	cur, ok, err := c.service(ctx, name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("service %s not found: is the site deployed? run `wpstack up %s`", name, stack)
	}
	if cur.Spec.Mode.Replicated == nil {
		return fmt.Errorf("service %s is not replicated: it cannot be scaled", name)
	}
	spec := cur.Spec
	n := uint64(replicas)
	spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: &n}
	// The spec now differs from the one wpstack hashed: the next deploy
	// writes it again (a replica count only, no task restarts).
	delete(spec.Labels, LabelSpecHash)
	events.Emit(ctx, "service "+name, events.Working, fmt.Sprintf("scaling to %d", replicas))
	if _, err := c.cli.ServiceUpdate(ctx, cur.ID, cur.Version, spec, swarm.ServiceUpdateOptions{}); err != nil {
		return fmt.Errorf("scale service %s: %w", name, err)
	}
	return nil
}

// Rollback returns the given services of the stack to their previous spec
// (the one before the last update), one task at a time per their
// rollback_config. Services with no previous spec are left alone; it
// reports whether any service was rolled back.
func (c *Cluster) Rollback(ctx context.Context, stack string, services ...string) (bool, error) {
	changed := false
	for _, svc := range services {
		name := ServiceName(stack, svc)
		cur, ok, err := c.service(ctx, name)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, fmt.Errorf("service %s not found: is the site deployed? run `wpstack up %s`", name, stack)
		}
		if cur.PreviousSpec == nil {
			events.Emit(ctx, "service "+name, events.Skipped, "no previous version")
			continue
		}
		events.Emit(ctx, "service "+name, events.Working, "rolling back")
		if _, err := c.cli.ServiceUpdate(ctx, cur.ID, cur.Version, cur.Spec, swarm.ServiceUpdateOptions{Rollback: "previous"}); err != nil {
			return false, fmt.Errorf("roll back service %s: %w", name, err)
		}
		changed = true
	}
	return changed, nil
}
