package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// Remove stops and removes the site's containers (the web service first, so
// it stops serving before its database goes; any other service, such as one
// of another layout, after) and its network; with Volumes, its volumes too.
// It finds resources by label, so it also removes what an interrupted `up`
// left, and touches nothing of any other site.
func (e *Engine) Remove(ctx context.Context, s site.Spec, opts target.RemoveOptions) error {
	siteName := s.Name
	f := filters.NewArgs(filters.Arg("label", site.LabelSite+"="+siteName))
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return fmt.Errorf("list containers of site %q: %w", siteName, err)
	}
	rank := func(c container.Summary) int {
		switch c.Labels[site.LabelService] {
		case site.ServiceWeb, site.ServiceAllInOne:
			return 0
		}
		return 1
	}
	for pass := 0; pass < 2; pass++ {
		for _, c := range list {
			if rank(c) != pass {
				continue
			}
			name := strings.TrimPrefix(firstOr(c.Names, c.ID), "/")
			events.Emit(ctx, "container "+name, events.Working, "stopping")
			if err := e.removeContainer(ctx, c.ID, nil); err != nil {
				return err
			}
			events.Emit(ctx, "container "+name, events.Done, "removed")
		}
	}
	nets, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return fmt.Errorf("list networks of site %q: %w", siteName, err)
	}
	for _, n := range nets {
		if n.Name == s.EdgeNetworkName() {
			// The edge leaves it first (it normally has, see edge.Sync).
			if err := edge.DisconnectNetwork(ctx, e.cli, n.Name); err != nil {
				return err
			}
		}
		if err := e.cli.NetworkRemove(ctx, n.ID); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove network %q: %w", n.Name, err)
		}
		events.Emit(ctx, "network "+n.Name, events.Done, "removed")
	}
	if !opts.Volumes {
		return nil
	}
	vols, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return fmt.Errorf("list volumes of site %q: %w", siteName, err)
	}
	for _, v := range vols.Volumes {
		if err := e.cli.VolumeRemove(ctx, v.Name, true); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove volume %q: %w", v.Name, err)
		}
		events.Emit(ctx, "volume "+v.Name, events.Done, "removed")
	}
	return nil
}

// Resources lists every container, network and volume labelled with the site.
func (e *Engine) Resources(ctx context.Context, s site.Spec) ([]string, error) {
	siteName := s.Name
	f := filters.NewArgs(filters.Arg("label", site.LabelSite+"="+siteName))
	var out []string
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs {
		out = append(out, "container "+strings.TrimPrefix(firstOr(c.Names, c.ID), "/"))
	}
	ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns {
		out = append(out, "network "+n.Name)
	}
	vs, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	for _, v := range vs.Volumes {
		out = append(out, "volume "+v.Name)
	}
	return out, nil
}
