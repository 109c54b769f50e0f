package engine

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/subnet"
	"github.com/wpstack/wpstack/internal/target"
)

// Deploy converges the engine to the plan: network, volumes, then the
// containers as reconcile decides (what the plan no longer has removed
// first), each one ready before the next starts. Running it twice changes
// nothing the second time.
func (e *Engine) Deploy(ctx context.Context, s site.Spec, p *types.Project) error {
	for key, n := range p.Networks {
		if err := e.ensureNetwork(ctx, s, n.Name, n.Labels, n.Internal); err != nil {
			return fmt.Errorf("network %s: %w", key, err)
		}
	}
	if s.HasDomains() {
		if err := e.trustEdge(ctx, s, p); err != nil {
			return err
		}
	}
	for _, key := range sortedKeys(p.Volumes) {
		v := p.Volumes[key]
		if err := e.ensureVolume(ctx, s, v.Name, v.Labels); err != nil {
			return err
		}
	}
	specs, err := containerSpecs(p, s)
	if err != nil {
		return err
	}
	ops, err := e.reconcile(ctx, s, specs)
	if err != nil {
		return err
	}
	byName := map[string]spec{}
	for _, cs := range specs {
		byName[cs.Name] = cs
	}
	for _, op := range ops {
		cs, wanted := byName[op.Name]
		if err := e.applyOp(ctx, s, op, cs); err != nil {
			return err
		}
		if wanted {
			if err := e.waitReady(ctx, s, cs.Service, cs.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// containerSpecs converts every service of the plan, in start order.
func containerSpecs(p *types.Project, s site.Spec) ([]spec, error) {
	order, err := plan.Order(p)
	if err != nil {
		return nil, err
	}
	out := make([]spec, 0, len(order))
	for _, name := range order {
		cs, err := containerSpec(p, s, name)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

// reconcile observes the site's containers (and any container holding a
// name the plan wants) and diffs them with the plan.
func (e *Engine) reconcile(ctx context.Context, s site.Spec, specs []spec) ([]target.Op, error) {
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", site.LabelSite+"="+s.Name))})
	if err != nil {
		return nil, fmt.Errorf("list containers of site %q: %w", s.Name, err)
	}
	var observed []target.Observed
	seen := map[string]bool{}
	for _, c := range list {
		name := strings.TrimPrefix(firstOr(c.Names, c.ID), "/")
		seen[name] = true
		observed = append(observed, target.Observed{Name: name, Hash: c.Labels[site.LabelConfig], Owned: true, Running: c.State == container.StateRunning})
	}
	desired := make([]target.Desired, 0, len(specs))
	for _, cs := range specs {
		desired = append(desired, target.Desired{Name: cs.Name, Hash: cs.Hash})
		if seen[cs.Name] {
			continue
		}
		// A container of that name that is not the site's must not be touched.
		cur, err := e.cli.ContainerInspect(ctx, cs.Name)
		switch {
		case err == nil:
			observed = append(observed, target.Observed{Name: cs.Name, Hash: cur.Config.Labels[site.LabelConfig], Owned: cur.Config.Labels[site.LabelSite] == s.Name, Running: cur.State != nil && cur.State.Running})
		case !errdefs.IsNotFound(err):
			return nil, fmt.Errorf("inspect container %q: %w", cs.Name, err)
		}
	}
	return target.Diff(desired, observed), nil
}

func (e *Engine) applyOp(ctx context.Context, s site.Spec, op target.Op, cs spec) error {
	res := "container " + op.Name
	switch op.Action {
	case target.Keep:
		events.Emit(ctx, res, events.Skipped, op.Why)
		return nil
	case target.Conflict:
		return fmt.Errorf("container name %q is taken by a container that is not part of site %q: remove it (docker rm -f %s) or choose another site name", op.Name, s.Name, op.Name)
	case target.Remove:
		events.Emit(ctx, res, events.Working, "removing: "+op.Why)
		if err := e.removeContainer(ctx, op.Name, nil); err != nil {
			return err
		}
		events.Emit(ctx, res, events.Done, "removed")
		return nil
	case target.Start:
		events.Emit(ctx, res, events.Working, "starting")
		if err := e.cli.ContainerStart(ctx, op.Name, container.StartOptions{}); err != nil {
			return fmt.Errorf("start container %q: %w", op.Name, err)
		}
		events.Emit(ctx, res, events.Done, "started")
		return nil
	case target.Recreate:
		events.Emit(ctx, res, events.Working, op.Why+", re-creating")
		if err := e.removeContainer(ctx, op.Name, cs.Config.StopTimeout); err != nil {
			return err
		}
	}
	// Create, or the second half of Recreate.
	if err := e.CheckPorts(ctx, s, cs.Host); err != nil {
		return err
	}
	events.Emit(ctx, res, events.Working, "creating")
	// API 1.41 creates a container on one network; the others are joined
	// before it starts.
	first, rest := splitNetworks(cs.Network, s.NetworkName())
	created, err := e.cli.ContainerCreate(ctx, cs.Config, cs.Host, first, nil, cs.Name)
	if err != nil {
		return fmt.Errorf("create container %q: %w", cs.Name, err)
	}
	for _, name := range sortedKeys(rest) {
		if err := e.cli.NetworkConnect(ctx, name, created.ID, rest[name]); err != nil {
			return fmt.Errorf("connect container %q to network %q: %w", cs.Name, name, err)
		}
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("start container %q: %w", cs.Name, portHint(err, cs))
	}
	events.Emit(ctx, res, events.Done, "started")
	return nil
}

func (e *Engine) ensureNetwork(ctx context.Context, s site.Spec, name string, labels map[string]string, internal bool) error {
	res := "network " + name
	list, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return fmt.Errorf("list networks named %q: %w", name, err)
	}
	var same []network.Summary
	for _, n := range list {
		if n.Name != name { // the filter matches substrings
			continue
		}
		if n.Labels[site.LabelSite] != s.Name {
			return fmt.Errorf("network %q exists and does not belong to site %q: remove it (docker network rm %s) or choose another site name", name, s.Name, name)
		}
		same = append(same, n)
	}
	if len(same) > 1 {
		// An `up` killed while its create was in flight, then run again at
		// once, can get a second network of the same name past the engine's
		// best-effort duplicate check: keep one, remove the unused others.
		return e.dedupNetworks(ctx, name, same)
	}
	if len(same) == 1 {
		return nil
	}
	// An explicit subnet from wpstack's range: Docker's default pools hold
	// about 30 networks, fewer than the sites one engine runs.
	if _, err := subnet.Create(ctx, e.cli, name, network.CreateOptions{Driver: "bridge", Labels: labels, Internal: internal}); err != nil {
		return fmt.Errorf("create network %q: %w", name, err)
	}
	events.Emit(ctx, res, events.Done, "created")
	return nil
}

// checkSubnets counts the networks the site still needs (its own and, with
// domains, its edge network and the edge's) and refuses when the range has
// no room for them, before anything is built or made.
func (e *Engine) checkSubnets(ctx context.Context, s site.Spec) error {
	names := []string{s.NetworkName()}
	if s.HasDomains() {
		names = append(names, s.EdgeNetworkName(), edge.HomeNetwork)
	}
	list, err := e.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return fmt.Errorf("list the engine's networks: %w", err)
	}
	have := map[string]bool{}
	for _, n := range list {
		have[n.Name] = true
	}
	missing := 0
	for _, n := range names {
		if !have[n] {
			missing++
		}
	}
	if err := subnet.Free(ctx, e.cli, missing); err != nil {
		return fmt.Errorf("site %q needs %d new networks: %w", s.Name, missing, err)
	}
	return nil
}

// dedupNetworks keeps the network of that name that has containers (else
// the oldest) and removes the rest.
func (e *Engine) dedupNetworks(ctx context.Context, name string, same []network.Summary) error {
	full := make([]network.Inspect, 0, len(same))
	for _, n := range same {
		in, err := e.cli.NetworkInspect(ctx, n.ID, network.InspectOptions{})
		if err != nil {
			return fmt.Errorf("inspect network %q (%s): %w", name, n.ID, err)
		}
		full = append(full, in)
	}
	keep := 0
	for i, n := range full {
		k := full[keep]
		if (len(n.Containers) > 0) != (len(k.Containers) > 0) {
			if len(n.Containers) > 0 {
				keep = i
			}
			continue
		}
		if n.Created.Before(k.Created) {
			keep = i
		}
	}
	for i, n := range full {
		if i == keep {
			continue
		}
		if err := e.cli.NetworkRemove(ctx, n.ID); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove duplicate network %q (%s): %w", name, n.ID, err)
		}
		events.Emit(ctx, "network "+name, events.Done, "removed a duplicate left by an interrupted run")
	}
	return nil
}

func (e *Engine) ensureVolume(ctx context.Context, s site.Spec, name string, labels map[string]string) error {
	res := "volume " + name
	v, err := e.cli.VolumeInspect(ctx, name)
	if err == nil {
		if v.Labels[site.LabelSite] != s.Name {
			return fmt.Errorf("volume %q exists and does not belong to site %q: choose another site name (wpstack never adopts data it did not create)", name, s.Name)
		}
		return nil
	}
	if !errdefs.IsNotFound(err) {
		return fmt.Errorf("inspect volume %q: %w", name, err)
	}
	if _, err := e.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		return fmt.Errorf("create volume %q: %w", name, err)
	}
	events.Emit(ctx, res, events.Done, "created")
	return nil
}

func portHint(err error, cs spec) error {
	if strings.Contains(err.Error(), "address already in use") || strings.Contains(err.Error(), "port is already allocated") {
		return fmt.Errorf("%w: the host port is in use; choose another with --port", err)
	}
	return err
}

// CheckPorts refuses host ports already held, naming who holds them: another
// container (any site or not), or, on a local engine, another process.
func (e *Engine) CheckPorts(ctx context.Context, s site.Spec, host *container.HostConfig) error {
	for _, binds := range host.PortBindings {
		for _, b := range binds {
			port, err := strconv.Atoi(b.HostPort)
			if err != nil {
				continue
			}
			if err := e.checkPort(ctx, s, b.HostIP, port); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Engine) checkPort(ctx context.Context, s site.Spec, ip string, port int) error {
	list, err := e.cli.ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(filters.Arg("publish", strconv.Itoa(port)))})
	if err != nil {
		return fmt.Errorf("list containers publishing port %d: %w", port, err)
	}
	for _, c := range list {
		if c.Labels[site.LabelSite] == s.Name {
			return nil // the site's own container holds it, and will hand it over
		}
		if s.HasDomains() && c.Labels[edge.LabelRole] == edge.RoleEdge {
			return nil // the edge holds it, and serves the site
		}
		name := strings.TrimPrefix(firstOr(c.Names, c.ID[:12]), "/")
		return fmt.Errorf("port %d is already in use by container %q; %s", port, name, portFlag(s))
	}
	if !e.IsLocal() {
		return nil
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	if ip == "" {
		addr = ":" + strconv.Itoa(port)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("port %d is already in use by another program on this host (see `ss -ltnp 'sport = :%d'`); %s", port, port, portFlag(s))
	}
	_ = l.Close()
	return nil
}

// portFlag is the fix for a held port: the flag that moves the site.
func portFlag(s site.Spec) string {
	if s.HasDomains() {
		return "choose others for the edge with --http-port and --https-port"
	}
	return "choose another with --port"
}

// splitNetworks keeps the site's default network (else the first by name)
// for the create call and returns the others.
func splitNetworks(n *network.NetworkingConfig, prefer string) (*network.NetworkingConfig, map[string]*network.EndpointSettings) {
	if n == nil || len(n.EndpointsConfig) <= 1 {
		return n, nil
	}
	keep := prefer
	if _, ok := n.EndpointsConfig[keep]; !ok {
		keep = sortedKeys(n.EndpointsConfig)[0]
	}
	rest := map[string]*network.EndpointSettings{}
	for k, v := range n.EndpointsConfig {
		if k != keep {
			rest[k] = v
		}
	}
	return &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{keep: n.EndpointsConfig[keep]}}, rest
}

// trustEdge tells the web service of a site with domains to trust the
// forwarded headers of its edge network's subnet, known once the network
// exists.
func (e *Engine) trustEdge(ctx context.Context, s site.Spec, p *types.Project) error {
	n, err := e.cli.NetworkInspect(ctx, s.EdgeNetworkName(), network.InspectOptions{})
	if err != nil {
		return fmt.Errorf("inspect network %q: %w", s.EdgeNetworkName(), err)
	}
	var subnets []string
	for _, c := range n.IPAM.Config {
		if c.Subnet != "" {
			subnets = append(subnets, c.Subnet)
		}
	}
	if len(subnets) == 0 {
		return fmt.Errorf("network %q has no subnet: remove it (docker network rm %s) and run up again", s.EdgeNetworkName(), s.EdgeNetworkName())
	}
	plan.TrustEdge(p, strings.Join(subnets, ","))
	return nil
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

func (e *Engine) removeContainer(ctx context.Context, name string, timeout *int) error {
	err := e.cli.ContainerStop(ctx, name, container.StopOptions{Timeout: timeout})
	if err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("stop container %q: %w", name, err)
	}
	err = e.cli.ContainerRemove(ctx, name, container.RemoveOptions{Force: true})
	if err != nil && !errdefs.IsNotFound(err) && !isRemovalInProgress(err) {
		return fmt.Errorf("remove container %q: %w", name, err)
	}
	return nil
}

func isRemovalInProgress(err error) bool {
	return strings.Contains(err.Error(), "is already in progress")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
