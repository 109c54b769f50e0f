package swarm

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/target"
)

// Status reports the stack's services, sorted by name.
func (c *Cluster) Status(ctx context.Context, stack string) ([]target.ServiceStatus, error) {
	svcs, err := c.stackServices(ctx, stack)
	if err != nil {
		return nil, err
	}
	nodes, err := c.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list swarm nodes: %w", err)
	}
	host := map[string]string{}
	ready := 0
	for _, n := range nodes {
		host[n.ID] = n.Description.Hostname
		if n.Status.State == swarm.NodeStateReady && n.Spec.Availability == swarm.NodeAvailabilityActive {
			ready++
		}
	}
	out := make([]target.ServiceStatus, 0, len(svcs))
	for _, s := range svcs {
		st := target.ServiceStatus{
			Name:    strings.TrimPrefix(s.Spec.Name, stack+"_"),
			Mode:    "global",
			Desired: ready,
			PerNode: map[string]int{},
		}
		if r := s.Spec.Mode.Replicated; r != nil && r.Replicas != nil {
			st.Mode, st.Desired = "replicated", int(*r.Replicas)
		}
		if cs := s.Spec.TaskTemplate.ContainerSpec; cs != nil {
			st.Image = cs.Image
		}
		if p := s.Spec.TaskTemplate.Placement; p != nil {
			st.Placement = p.Constraints
		}
		if s.Spec.EndpointSpec != nil {
			st.Endpoint = string(s.Spec.EndpointSpec.Mode)
		}
		if u := s.UpdateStatus; u != nil {
			st.UpdateState, st.UpdateMsg = string(u.State), u.Message
		}
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(
			filters.Arg("service", s.ID), filters.Arg("desired-state", "running"))})
		if err != nil {
			return nil, fmt.Errorf("list tasks of %s: %w", s.Spec.Name, err)
		}
		for _, t := range tasks {
			if t.Status.State == swarm.TaskStateRunning {
				st.Running++
				st.PerNode[host[t.NodeID]]++
			}
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
