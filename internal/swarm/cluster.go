package swarm

import (
	"context"
	"errors"
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
)

// Cluster is a swarm reached through one of its managers.
type Cluster struct {
	cli client.APIClient
}

// New returns a Cluster on a connection to a manager.
func New(cli client.APIClient) *Cluster { return &Cluster{cli: cli} }

// Info is what wpstack needs to know about the cluster.
type Info struct {
	NodeID   string // the manager we talk to
	NodeAddr string // its address in the swarm
	Nodes    int    // nodes in the swarm
}

// ErrNotManager is wrapped when the engine is not a swarm manager.
var ErrNotManager = errors.New("not a swarm manager")

// Info checks that the engine is a swarm manager and describes the swarm.
func (c *Cluster) Info(ctx context.Context) (Info, error) {
	info, err := c.cli.Info(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("read engine info: %w", err)
	}
	if info.Swarm.LocalNodeState != swarm.LocalNodeStateActive || !info.Swarm.ControlAvailable {
		return Info{}, fmt.Errorf("%w: this engine (%s) is in swarm state %q; point DOCKER_HOST at a manager of your swarm, or create one with `docker swarm init`",
			ErrNotManager, info.Name, info.Swarm.LocalNodeState)
	}
	return Info{NodeID: info.Swarm.NodeID, NodeAddr: info.Swarm.NodeAddr, Nodes: info.Swarm.Nodes}, nil
}

// PinnedNode returns the hostname of the node carrying label=true, "" when
// none does, and an error when several do.
func (c *Cluster) PinnedNode(ctx context.Context, label string) (string, error) {
	nodes, err := c.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return "", fmt.Errorf("list swarm nodes: %w", err)
	}
	var pinned []string
	for _, n := range nodes {
		if n.Spec.Labels[label] == "true" {
			pinned = append(pinned, n.Description.Hostname)
		}
	}
	switch len(pinned) {
	case 0:
		return "", nil
	case 1:
		return pinned[0], nil
	}
	return "", fmt.Errorf("%d nodes (%v) carry the label %s=true; keep it on the node that holds the database volume only (docker node update --label-rm %s NODE)", len(pinned), pinned, label, label)
}

// PinNode makes sure exactly one node carries label=true and returns its
// hostname: the node found, else nodeID (where the database volume will be
// created). Nodes are never relabelled: moving the database means moving
// its volume, which is the operator's decision.
func (c *Cluster) PinNode(ctx context.Context, label, nodeID string) (string, error) {
	host, err := c.PinnedNode(ctx, label)
	if err != nil || host != "" {
		return host, err
	}
	n, _, err := c.cli.NodeInspectWithRaw(ctx, nodeID)
	if err != nil {
		return "", fmt.Errorf("inspect node %s: %w", nodeID, err)
	}
	spec := n.Spec
	if spec.Labels == nil {
		spec.Labels = map[string]string{}
	}
	spec.Labels[label] = "true"
	if err := c.cli.NodeUpdate(ctx, n.ID, n.Version, spec); err != nil {
		return "", fmt.Errorf("label node %s with %s: %w", n.Description.Hostname, label, err)
	}
	return n.Description.Hostname, nil
}

// UnpinNode removes label from every node.
func (c *Cluster) UnpinNode(ctx context.Context, label string) error {
	nodes, err := c.cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return fmt.Errorf("list swarm nodes: %w", err)
	}
	for _, n := range nodes {
		if _, ok := n.Spec.Labels[label]; !ok {
			continue
		}
		spec := n.Spec
		delete(spec.Labels, label)
		if err := c.cli.NodeUpdate(ctx, n.ID, n.Version, spec); err != nil {
			return fmt.Errorf("remove label %s from node %s: %w", label, n.Description.Hostname, err)
		}
	}
	return nil
}

func isNotFound(err error) bool { return errdefs.IsNotFound(err) }
