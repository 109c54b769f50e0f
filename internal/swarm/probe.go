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
	res := "folder " + opts.Path
	cs := swarm.ContainerSpec{
		Image:          opts.Image,
		Labels:         opts.Labels,
		Command:        []string{"/usr/bin/test", "-d", probeTarget},
		User:           "65534:65534",
		ReadOnly:       true,
		CapabilityDrop: []string{"ALL"},
		Privileges:     &swarm.Privileges{NoNewPrivileges: true},
		Mounts:         []mount.Mount{{Type: mount.TypeBind, Source: opts.Path, Target: probeTarget, ReadOnly: true}},
	}
	tasks, names, err := c.globalJob(ctx, globalJobOptions{Name: opts.Name, Labels: opts.Labels, Container: cs,
		QueryRegistry: opts.QueryRegistry, Timeout: opts.Timeout, What: res, Doing: "checking it"})
	if err != nil {
		return fmt.Errorf("check %s on every node: %w", opts.Path, err)
	}
	missing, other, _ := probeResults(tasks, names)
	if len(missing) == 0 && len(other) == 0 {
		events.Emit(ctx, res, events.Done, "present on every node")
		return nil
	}
	return probeError(opts.Path, missing, other)
}

// globalJobOptions describe a short-lived job with one task on every node.
type globalJobOptions struct {
	Name          string
	Labels        map[string]string
	Container     swarm.ContainerSpec
	QueryRegistry bool
	Timeout       time.Duration // default 90s
	What, Doing   string        // for progress: "folder X", "checking it"
}

// globalJob runs a job on every ready node and waits until each has
// answered: it returns the tasks and the nodes' names by ID. The job's
// service is removed whatever happens.
func (c *Cluster) globalJob(ctx context.Context, opts globalJobOptions) ([]swarm.Task, map[string]string, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 90 * time.Second
	}
	nodes, err := c.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("list swarm nodes: %w", err)
	}
	names := map[string]string{}
	for _, n := range nodes {
		if n.Status.State == swarm.NodeStateReady && n.Spec.Availability == swarm.NodeAvailabilityActive {
			names[n.ID] = n.Description.Hostname
		}
	}
	events.Emit(ctx, opts.What, events.Working, fmt.Sprintf("%s on %d nodes", opts.Doing, len(names)))
	if old, ok, err := c.service(ctx, opts.Name); err != nil {
		return nil, nil, err
	} else if ok {
		// Left by an interrupted run.
		if err := c.cli.ServiceRemove(ctx, old.ID); err != nil {
			return nil, nil, fmt.Errorf("remove old job %s: %w", opts.Name, err)
		}
	}
	cs := opts.Container
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: opts.Name, Labels: opts.Labels},
		Mode:        swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &cs,
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
		},
	}
	resp, err := c.cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{EncodedRegistryAuth: emptyAuth, QueryRegistry: opts.QueryRegistry})
	if err != nil {
		return nil, nil, fmt.Errorf("create job %s: %w", opts.Name, err)
	}
	defer func() {
		// Removed even when ctx is cancelled: the job must not linger.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = c.cli.ServiceRemove(rctx, resp.ID)
	}()
	deadline := time.Now().Add(opts.Timeout)
	for {
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", resp.ID))})
		if err != nil {
			return nil, nil, fmt.Errorf("list tasks of job %s: %w", opts.Name, err)
		}
		if _, _, done := probeResults(tasks, names); done {
			return tasks, names, nil
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("no answer from every node within %s: see `docker node ls`", opts.Timeout)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
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
