package swarm

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/events"
)

// ProbeOptions say which host folder to look for on every node.
type ProbeOptions struct {
	Name   string            // the probe service's name
	Path   string            // the host folder every node must have
	Image  string            // an image every node can run (it needs /usr/bin/test)
	Labels map[string]string // put on the probe service
	// QueryRegistry pins the image to its digest, as Deploy does.
	QueryRegistry bool
	Timeout       time.Duration // default 90s
}

const probeTarget = "/mnt/wpstack-probe"

// CheckBindSource runs a short-lived global job that bind-mounts Path on
// every ready node and checks it is a folder there. It fails naming the
// nodes where the folder is missing (or is not a folder), so a deploy that
// could never start is refused before anything of it is made. The probe
// service is removed whatever happens.
func (c *Cluster) CheckBindSource(ctx context.Context, opts ProbeOptions) error {
	if opts.Timeout == 0 {
		opts.Timeout = 90 * time.Second
	}
	nodes, err := c.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return fmt.Errorf("list swarm nodes: %w", err)
	}
	names := map[string]string{}
	for _, n := range nodes {
		if n.Status.State == swarm.NodeStateReady && n.Spec.Availability == swarm.NodeAvailabilityActive {
			names[n.ID] = n.Description.Hostname
		}
	}
	res := "folder " + opts.Path
	events.Emit(ctx, res, events.Working, fmt.Sprintf("checking it on %d nodes", len(names)))
	if old, ok, err := c.service(ctx, opts.Name); err != nil {
		return err
	} else if ok {
		// Left by an interrupted run.
		if err := c.cli.ServiceRemove(ctx, old.ID); err != nil {
			return fmt.Errorf("remove old probe service %s: %w", opts.Name, err)
		}
	}
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: opts.Name, Labels: opts.Labels},
		Mode:        swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image:          opts.Image,
				Labels:         opts.Labels,
				Command:        []string{"/usr/bin/test", "-d", probeTarget},
				User:           "65534:65534",
				ReadOnly:       true,
				CapabilityDrop: []string{"ALL"},
				Privileges:     &swarm.Privileges{NoNewPrivileges: true},
				Mounts:         []mount.Mount{{Type: mount.TypeBind, Source: opts.Path, Target: probeTarget, ReadOnly: true}},
			},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
		},
	}
	resp, err := c.cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{EncodedRegistryAuth: emptyAuth, QueryRegistry: opts.QueryRegistry})
	if err != nil {
		return fmt.Errorf("create probe service %s: %w", opts.Name, err)
	}
	defer func() {
		// Removed even when ctx is cancelled: the probe must not linger.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = c.cli.ServiceRemove(rctx, resp.ID)
	}()
	deadline := time.Now().Add(opts.Timeout)
	for {
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", resp.ID))})
		if err != nil {
			return fmt.Errorf("list tasks of probe service %s: %w", opts.Name, err)
		}
		missing, other, done := probeResults(tasks, names)
		if done {
			if len(missing) == 0 && len(other) == 0 {
				events.Emit(ctx, res, events.Done, "present on every node")
				return nil
			}
			return probeError(opts.Path, missing, other)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("check %s on every node: no answer from every node within %s: see `docker node ls`", opts.Path, opts.Timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// probeResults reads the probe's tasks: nodes missing the folder, nodes
// with another error (node: error), and whether every node has answered.
func probeResults(tasks []swarm.Task, nodes map[string]string) (missing []string, other []string, done bool) {
	answered := map[string]bool{}
	for _, t := range tasks {
		name, ok := nodes[t.NodeID]
		if !ok {
			continue
		}
		switch t.Status.State {
		case swarm.TaskStateComplete:
			answered[t.NodeID] = true
		case swarm.TaskStateRejected, swarm.TaskStateFailed:
			answered[t.NodeID] = true
			if kind, _ := classify(t.Status.Err); kind == kindBindSource || strings.Contains(t.Status.Err, "non-zero exit") {
				missing = append(missing, name)
			} else {
				other = append(other, name+": "+t.Status.Err)
			}
		}
	}
	sort.Strings(missing)
	sort.Strings(other)
	return missing, other, len(answered) == len(nodes)
}

func probeError(path string, missing, other []string) error {
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("shared storage %s is missing (or not a folder) on node %s: create it there, an NFS or GlusterFS mount present on every node, then run the command again", path, strings.Join(missing, ", ")))
	}
	if len(other) > 0 {
		parts = append(parts, fmt.Sprintf("could not check shared storage %s on node %s", path, strings.Join(other, "; ")))
	}
	return fmt.Errorf("%s; nothing was deployed", strings.Join(parts, "; "))
}
