package swarm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/volume"

	"github.com/wpstack/wpstack/internal/events"
)

// RemoveOptions say what goes besides the services and the network.
type RemoveOptions struct {
	Secrets bool
	// Volumes removes the stack's volumes on the engine wpstack talks to
	// (the manager, where the database is pinned); other nodes' volumes
	// are out of the API's reach.
	Volumes bool
	// NodeLabel is removed from every node (the database pin).
	NodeLabel string
	// JobImage runs the job that removes the stack's volumes on the other
	// nodes when the stack has no db service left to take it from (a site
	// that is down); without either, only this node's volumes go.
	JobImage string
}

// Remove removes the stack: services, then (once their tasks are gone)
// the network, and what opts adds. What is already gone is not an error.
func (c *Cluster) Remove(ctx context.Context, stack string, opts RemoveOptions) error {
	byStack := filters.NewArgs(filters.Arg("label", LabelNamespace+"="+stack))
	svcs, err := c.stackServices(ctx, stack)
	if err != nil {
		return err
	}
	for _, s := range svcs {
		events.Emit(ctx, "service "+s.Spec.Name, events.Working, "removing")
		if err := c.cli.ServiceRemove(ctx, s.ID); err != nil && !isNotFound(err) {
			return fmt.Errorf("remove service %s: %w", s.Spec.Name, err)
		}
	}
	if err := c.waitTasksGone(ctx, svcs, 2*time.Minute); err != nil {
		return err
	}
	if err := c.waitContainersGone(ctx, byStack, 2*time.Minute); err != nil {
		return err
	}
	nets, err := c.cli.NetworkList(ctx, network.ListOptions{Filters: byStack})
	if err != nil {
		return fmt.Errorf("list networks of stack %s: %w", stack, err)
	}
	for _, n := range nets {
		if err := c.removeNetwork(ctx, n.ID, n.Name); err != nil {
			return err
		}
	}
	if opts.Secrets {
		secs, err := c.cli.SecretList(ctx, swarm.SecretListOptions{Filters: byStack})
		if err != nil {
			return fmt.Errorf("list secrets of stack %s: %w", stack, err)
		}
		for _, s := range secs {
			if err := c.cli.SecretRemove(ctx, s.ID); err != nil && !isNotFound(err) {
				return fmt.Errorf("remove secret %s: %w", s.Spec.Name, err)
			}
		}
	}
	if opts.Volumes {
		vols, err := c.cli.VolumeList(ctx, volume.ListOptions{Filters: byStack})
		if err != nil {
			return fmt.Errorf("list volumes of stack %s: %w", stack, err)
		}
		for _, v := range vols.Volumes {
			if err := c.removeVolume(ctx, v.Name, time.Minute); err != nil {
				return err
			}
		}
		image := jobImage(svcs, stack)
		if image == "" {
			image = opts.JobImage
		}
		if image == "" {
			events.Emit(ctx, "stack "+stack, events.Warning, "no image to run the volume removal on the other nodes: volumes there are left")
		} else if err := c.removeVolumesOnNodes(ctx, stack, image); err != nil {
			return err
		}
	}
	if opts.NodeLabel != "" {
		return c.UnpinNode(ctx, opts.NodeLabel)
	}
	return nil
}

// waitTasksGone polls until the removed services have no task left, so
// their containers no longer hold the network or the volumes.
func (c *Cluster) waitTasksGone(ctx context.Context, svcs []swarm.Service, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, s := range svcs {
		for {
			tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", s.ID))})
			if err != nil && !isNotFound(err) {
				return fmt.Errorf("list tasks of %s: %w", s.Spec.Name, err)
			}
			if len(tasks) == 0 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("tasks of removed service %s still exist after %s", s.Spec.Name, timeout)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	return nil
}

// waitContainersGone polls until this engine runs no container of the
// stack: a removed service's tasks leave the store before their containers
// have stopped, and a volume in use cannot be removed.
func (c *Cluster) waitContainersGone(ctx context.Context, byStack filters.Args, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		list, err := c.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: byStack})
		if err != nil {
			return fmt.Errorf("list containers: %w", err)
		}
		if len(list) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d containers of the removed stack still exist on this node after %s", len(list), timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// removeNetwork retries while the last containers detach from it.
func (c *Cluster) removeNetwork(ctx context.Context, id, name string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := c.cli.NetworkRemove(ctx, id)
		if err == nil || isNotFound(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("remove network %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// removeVolume retries while the volume is in use: a task the swarm was
// still starting for a removed service (an update or rollback in flight)
// can hold it a moment after the services are gone.
func (c *Cluster) removeVolume(ctx context.Context, name string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := c.cli.VolumeRemove(ctx, name, false)
		if err == nil || isNotFound(err) {
			return nil
		}
		inUse := errdefs.IsConflict(err) || strings.Contains(err.Error(), "in use")
		if !inUse || time.Now().After(deadline) {
			return fmt.Errorf("remove volume %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
