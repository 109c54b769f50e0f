package swarm

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// removeVolumesOnNodes deletes the stack's volumes on every node: the
// manager's API removes volumes on its own node only, and the database's
// (and its backups') may live on a worker, as does a per-node wp-content.
// A global job runs `wpstack-init volumes-rm STACK` with each node's
// engine socket; image is one every node can pull that carries wpstack-init.
func (c *Cluster) removeVolumesOnNodes(ctx context.Context, stack, image string) error {
	labels := map[string]string{site.LabelManaged: "true", site.LabelService: "volumes-rm"}
	cs := swarm.ContainerSpec{
		Image:   image,
		Labels:  labels,
		Command: contract.Command(contract.RoleVolumesRm, stack),
		// The engine's socket is root's: this job must be root, and does
		// nothing else (no capabilities, read-only root filesystem).
		User:           "0:0",
		ReadOnly:       true,
		CapabilityDrop: []string{"ALL"},
		Privileges:     &swarm.Privileges{NoNewPrivileges: true},
		Mounts:         []mount.Mount{{Type: mount.TypeBind, Source: contract.EngineSocket, Target: contract.EngineSocket}},
		Healthcheck:    &container.HealthConfig{Test: []string{"NONE"}},
	}
	what := "volumes of stack " + stack
	tasks, names, err := c.globalJob(ctx, globalJobOptions{Name: ServiceName(stack, "volumes-rm"), Labels: labels, Container: cs,
		What: what, Doing: "removing them"})
	if err != nil {
		return fmt.Errorf("remove the volumes of stack %s on every node: %w", stack, err)
	}
	var left []string
	for _, t := range tasks {
		if name, ok := names[t.NodeID]; ok && t.Status.State != swarm.TaskStateComplete {
			left = append(left, name+" ("+strings.TrimSpace(t.Status.Err+" "+t.Status.Message)+")")
		}
	}
	if len(left) > 0 {
		sort.Strings(left)
		return fmt.Errorf("volumes of stack %s may be left on node %s: there, list them with `docker volume ls --filter label=%s=%s` and remove them with `docker volume rm`",
			stack, strings.Join(left, ", "), LabelNamespace, stack)
	}
	events.Emit(ctx, what, events.Done, fmt.Sprintf("removed on %d nodes", len(names)))
	return nil
}

// jobImage is the image of the stack's db service (it carries wpstack-init
// and every node can pull it), or "" when the stack has none.
func jobImage(svcs []swarm.Service, stack string) string {
	for _, s := range svcs {
		if s.Spec.Name == ServiceName(stack, site.ServiceDB) && s.Spec.TaskTemplate.ContainerSpec != nil {
			return s.Spec.TaskTemplate.ContainerSpec.Image
		}
	}
	return ""
}
