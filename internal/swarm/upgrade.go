package swarm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
)

// DeployDB converges the stack's database service alone to p's and waits
// until the stack has converged: an upgrade moves the database (its data
// directory is upgraded as it starts) before any web task of the new
// stack needs it, so a web task's health check never fails on a database
// that is still upgrading.
func (t *Target) DeployDB(ctx context.Context, s site.Spec, p *types.Project) error {
	if _, err := t.cluster.PinNode(ctx, plan.DBNodeLabel(s.Name), t.info.NodeID); err != nil {
		return err
	}
	only := []string{ServiceName(s.StackName(), site.ServiceDB)}
	if err := t.cluster.Deploy(ctx, p, DeployOptions{QueryRegistry: s.Registry != "", Only: only}); err != nil {
		return err
	}
	return t.cluster.Wait(ctx, s.StackName(), WaitOptions{Since: t.since})
}

// DBDataMount is the mount of the stack's database service at its data
// directory (a volume on the database's node), read before the service is
// removed.
func (t *Target) DBDataMount(ctx context.Context, s site.Spec) (mount.Mount, error) {
	name := ServiceName(s.StackName(), site.ServiceDB)
	svc, ok, err := t.cluster.service(ctx, name)
	if err != nil {
		return mount.Mount{}, err
	}
	if !ok || svc.Spec.TaskTemplate.ContainerSpec == nil {
		return mount.Mount{}, fmt.Errorf("stack %s has no %s service", s.StackName(), site.ServiceDB)
	}
	for _, m := range svc.Spec.TaskTemplate.ContainerSpec.Mounts {
		if m.Target == contract.DBDataDir {
			return m, nil
		}
	}
	return mount.Mount{}, fmt.Errorf("service %s mounts nothing at %s", name, contract.DBDataDir)
}

// EmptyDBData empties the database's data directory on the node the
// database is pinned to, with the stack's services gone: a data directory
// a newer MariaDB upgraded cannot be opened by the older one, so a rolled
// back database starts on an empty one (and is restored into). It runs a
// one-off job there, as the database's own user, with no capability.
func (t *Target) EmptyDBData(ctx context.Context, s site.Spec, m mount.Mount, image string) error {
	if m.Type != mount.TypeVolume && m.Type != mount.TypeBind {
		return fmt.Errorf("the database's data mount is a %s: cannot empty it", m.Type)
	}
	m.Target, m.ReadOnly = "/data", false
	// Not the stack's namespace label: the stack's commands wait for its
	// containers to go, and this one is never part of the stack.
	labels := map[string]string{site.LabelManaged: "true", site.LabelService: "db-reset"}
	cs := swarm.ContainerSpec{
		Image:          image,
		Labels:         labels,
		Command:        []string{"find", "/data", "-mindepth", "1", "-delete"},
		User:           fmt.Sprintf("%d:%d", contract.DBUID, contract.DBUID),
		ReadOnly:       true,
		CapabilityDrop: []string{"ALL"},
		Mounts:         []mount.Mount{m},
		Healthcheck:    &container.HealthConfig{Test: []string{"NONE"}},
	}
	constraint := "node.labels." + plan.DBNodeLabel(s.Name) + " == true"
	return t.cluster.runJob(ctx, jobOptions{Name: ServiceName(s.StackName(), "db-reset"), Labels: labels, Container: cs,
		Constraints: []string{constraint}, QueryRegistry: s.Registry != "", What: "service " + ServiceName(s.StackName(), site.ServiceDB),
		Doing: "emptying the data directory on its node"})
}

// jobOptions describe a one-off task.
type jobOptions struct {
	Name          string
	Labels        map[string]string
	Container     swarm.ContainerSpec
	Constraints   []string
	QueryRegistry bool
	What, Doing   string
	Timeout       time.Duration // default 2m
}

// runJob runs one task to its end and removes its service; a task that
// fails is an error with its message.
func (c *Cluster) runJob(ctx context.Context, opts jobOptions) error {
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Minute
	}
	events.Emit(ctx, opts.What, events.Working, opts.Doing)
	if old, ok, err := c.service(ctx, opts.Name); err != nil {
		return err
	} else if ok {
		// Left by an interrupted run: the site's lock is held.
		if err := c.cli.ServiceRemove(ctx, old.ID); err != nil && !isNotFound(err) {
			return fmt.Errorf("remove old job %s: %w", opts.Name, err)
		}
		if err := c.waitTasksGone(ctx, []swarm.Service{old}, time.Minute); err != nil {
			return err
		}
	}
	// One replica that is never restarted, not a replicated job: swarm
	// removes a service's containers with it, and leaves a job's behind,
	// where they would hold the volume they mounted.
	cs := opts.Container
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: opts.Name, Labels: opts.Labels},
		Mode:        swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: uint64Ptr(1)}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &cs,
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			Placement:     &swarm.Placement{Constraints: opts.Constraints},
		},
	}
	resp, err := c.cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{EncodedRegistryAuth: emptyAuth, QueryRegistry: opts.QueryRegistry})
	if err != nil {
		return fmt.Errorf("create job %s: %w", opts.Name, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = c.cli.ServiceRemove(rctx, resp.ID)
		// Should a container be left on this engine, it goes too.
		list, err := c.cli.ContainerList(rctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", "com.docker.swarm.service.id="+resp.ID))})
		if err == nil {
			for _, ct := range list {
				_ = c.cli.ContainerRemove(rctx, ct.ID, container.RemoveOptions{Force: true})
			}
		}
	}()
	deadline := time.Now().Add(opts.Timeout)
	last := "no task yet"
	for {
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", resp.ID))})
		if err != nil {
			return fmt.Errorf("list tasks of job %s: %w", opts.Name, err)
		}
		done, err := jobResult(tasks)
		if done {
			if err != nil {
				return fmt.Errorf("job %s: %w", opts.Name, err)
			}
			events.Emit(ctx, opts.What, events.Done, opts.Doing+": done")
			return nil
		}
		for _, t := range tasks {
			last = fmt.Sprintf("task %s is %s: %s", t.ID, t.Status.State, strings.TrimSpace(t.Status.Message+" "+t.Status.Err))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("job %s did not finish within %s (%s): see `docker service ps %s`", opts.Name, opts.Timeout, last, opts.Name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// jobResult reads a one-task job's tasks: whether it has ended, and the
// error it ended with.
func jobResult(tasks []swarm.Task) (bool, error) {
	for _, t := range tasks {
		switch t.Status.State {
		case swarm.TaskStateComplete:
			return true, nil
		case swarm.TaskStateFailed, swarm.TaskStateRejected, swarm.TaskStateShutdown, swarm.TaskStateOrphaned:
			msg := strings.TrimSpace(t.Status.Err)
			if msg == "" {
				msg = t.Status.Message
			}
			return true, fmt.Errorf("its task ended %s: %s", t.Status.State, msg)
		}
	}
	return false, nil
}
