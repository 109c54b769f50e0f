package swarm

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// Target is the swarm target: a site as a stack on the swarm that the
// connected manager belongs to.
type Target struct {
	cli     client.APIClient
	cluster *Cluster
	info    Info
	reach   string
	// since is when the current command started: update statuses older
	// than it are not this command's.
	since time.Time
}

var _ target.Target = (*Target)(nil)

// Open checks that cli reaches a swarm manager and returns the target.
func Open(ctx context.Context, cli client.APIClient) (*Target, error) {
	c := New(cli)
	info, err := c.Info(ctx)
	if err != nil {
		return nil, err
	}
	return &Target{cli: cli, cluster: c, info: info, reach: target.ReachHost(os.Getenv("DOCKER_HOST"), info.NodeAddr), since: time.Now()}, nil
}

// Cluster is the swarm behind the target, for the verbs only a swarm has
// (scale, rollback).
func (t *Target) Cluster() *Cluster { return t.cluster }

// Info describes the swarm.
func (t *Target) Info() Info { return t.info }

// Kind is site.TargetSwarm.
func (t *Target) Kind() string { return site.TargetSwarm }

// Close closes the manager connection.
func (t *Target) Close() error { return t.cli.Close() }

// Endpoint is the site's port on the reached node (the edge publishes it on
// every node).
func (t *Target) Endpoint(s site.Spec) string {
	if s.HasDomains() {
		return "https://" + net.JoinHostPort(t.reach, strconv.Itoa(s.HTTPSPort))
	}
	return "http://" + net.JoinHostPort(t.reach, strconv.Itoa(s.Port))
}

// Check refuses a spec the cluster cannot run, before anything is built or
// written.
func (t *Target) Check(ctx context.Context, s site.Spec) error {
	if t.info.Nodes > 1 && s.Registry == "" {
		return fmt.Errorf("the swarm has %d nodes and images must reach every one: give a registry all nodes can pull from with --registry HOST:PORT (e.g. --registry registry.example:5000)", t.info.Nodes)
	}
	if t.info.Nodes > 1 && s.Replicas > 1 && s.SharedStorage == "" {
		return fmt.Errorf("%d web replicas on a %d-node swarm need a shared wp-content, else an upload exists on one replica only: give a path mounted on every node (NFS, GlusterFS...) with --shared-storage PATH", s.Replicas, t.info.Nodes)
	}
	return nil
}

// Build makes the images on the manager and pushes them to the site's
// registry, so every node can pull them.
func (t *Target) Build(ctx context.Context, s site.Spec, opts target.BuildOptions) (target.Images, error) {
	set, err := images.Ensure(ctx, t.cli, opts.Options)
	if err != nil {
		return target.Images{}, err
	}
	ensureEdge := images.EnsureEdge
	if s.HasDomains() {
		// The domain edge: the same nginx image as one engine's edge.
		ensureEdge = images.EnsureEdgeNginx
	}
	edge, err := ensureEdge(ctx, t.cli, opts.Options)
	if err != nil {
		return target.Images{}, err
	}
	if opts.WebImage != "" {
		set.Web = opts.WebImage
	}
	if s.Registry != "" {
		for _, ref := range []string{set.Web, set.DB, edge} {
			if err := t.cluster.Push(ctx, ref, plan.StackImage(s.Registry, ref)); err != nil {
				return target.Images{}, err
			}
		}
	}
	return target.Images{Set: set, Edge: edge}, nil
}

// Plan is the site's stack.
func (t *Target) Plan(s site.Spec, img target.Images, secretsDir string) (*types.Project, error) {
	p, err := plan.Build(s, plan.Inputs{WebImage: img.Web, DBImage: img.DB, SecretsDir: secretsDir})
	if err != nil {
		return nil, err
	}
	opts := plan.StackOptions{
		Replicas: s.Replicas, Registry: s.Registry, SharedStorage: s.SharedStorage, EdgeImage: img.Edge,
		WordPressVersion: img.WordPressVersion,
	}
	if s.HasDomains() {
		if opts.Edge, err = stackEdge(s, img.EdgeFiles); err != nil {
			return nil, err
		}
	}
	return plan.Stack(p, opts)
}

// Deploy pins the database to its node, converges the stack's services,
// waits until they have converged (an update swarm rolled back is an error
// wrapping ErrRolledBack) and until the edge passes requests to a healthy
// web replica.
func (t *Target) Deploy(ctx context.Context, s site.Spec, p *types.Project) error {
	// A missing --shared-storage folder would only show as rejected tasks:
	// refuse it, naming the nodes, before anything of the site is made.
	if s.SharedStorage != "" {
		if err := t.cluster.CheckBindSource(ctx, ProbeOptions{Name: s.ServiceName("storage-probe"), Path: s.SharedStorage,
			Image: p.Services[plan.ServiceEdge].Image, Labels: s.Labels("storage-probe"), QueryRegistry: s.Registry != ""}); err != nil {
			return err
		}
	}
	node, err := t.cluster.PinNode(ctx, plan.DBNodeLabel(s.Name), t.info.NodeID)
	if err != nil {
		return err
	}
	events.Emit(ctx, "service db", events.Info, "pinned to node "+node+" (label "+plan.DBNodeLabel(s.Name)+"=true), where its volume lives")
	if err := t.cluster.Deploy(ctx, p, DeployOptions{QueryRegistry: s.Registry != ""}); err != nil {
		return err
	}
	if err := t.cluster.Wait(ctx, s.StackName(), WaitOptions{Since: t.since}); err != nil {
		return err
	}
	if s.HasDomains() {
		if err := t.cluster.waitEdgeTasks(ctx, s.StackName(), t.since, 5*time.Minute); err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, sec := range p.Secrets {
			keep[sec.Name] = true
		}
		t.cluster.pruneEdgeSecrets(ctx, s.StackName(), keep)
	}
	return t.waitEdge(ctx, s, 2*time.Minute)
}

// waitEdge polls until the edge on the reached node passes a request to a
// healthy web replica: the edge's DNS refresh trails the tasks by a second
// or two, and the installer must not mistake the edge's 503 for a site.
func (t *Target) waitEdge(ctx context.Context, s site.Spec, timeout time.Duration) error {
	u := t.Endpoint(s) + "/.wpstack/health"
	c := &http.Client{Timeout: 5 * time.Second}
	if s.HasDomains() {
		c.Transport = &http.Transport{TLSClientConfig: probeTLS(s)}
		defer c.CloseIdleConnections()
	}
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Host = s.HostHeader()
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the site's edge at %s did not reach a healthy web replica within %s (last: %s); see `wpstack status %s`", u, timeout, last, s.Name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Status reports the stack's services, where the database is pinned, and
// the WordPress version the web image was built with.
func (t *Target) Status(ctx context.Context, s site.Spec) (target.Status, error) {
	svcs, err := t.cluster.Status(ctx, s.StackName())
	if err != nil {
		return target.Status{}, err
	}
	label := plan.DBNodeLabel(s.Name)
	node, err := t.cluster.PinnedNode(ctx, label)
	if err != nil {
		return target.Status{}, err
	}
	st := target.Status{State: target.Overall(svcs), Services: svcs,
		Cluster: &target.Cluster{Nodes: t.info.Nodes, DBNode: node, DBLabel: label}}
	for _, sv := range svcs {
		if sv.Name == site.ServiceWeb {
			if img, err := t.cli.ImageInspect(ctx, sv.Image); err == nil && img.Config != nil {
				st.WordPressVersion = img.Config.Labels[images.LabelWPVersion]
			}
		}
	}
	return st, nil
}

// Services are the stack's service names for a spec.
func Services(s site.Spec) []string {
	all := []string{site.ServiceWeb, site.ServiceDB, plan.ServiceEdge, plan.ServiceCron}
	if s.BackupEvery != "" {
		all = append(all, site.ServiceBackup)
	}
	return all
}

// Logs streams the services' logs from every task on every node.
func (t *Target) Logs(ctx context.Context, s site.Spec, opts target.LogsOptions) error {
	all := Services(s)
	services := opts.Services
	if len(services) == 0 {
		services = all
	}
	for _, svc := range services {
		if !slices.Contains(all, svc) {
			return fmt.Errorf("swarm site %q has no service %q: use --service %s", s.Name, svc, strings.Join(all, " or --service "))
		}
	}
	return t.cluster.Logs(ctx, s.StackName(), LogsOptions{Services: services, Follow: opts.Follow, Tail: opts.Tail, Out: opts.Out})
}

// Exec is not possible on a swarm: the manager's Engine API cannot exec
// into tasks on other nodes.
func (t *Target) Exec(ctx context.Context, s site.Spec, service, user string, cmd []string) (string, int, error) {
	return "", -1, fmt.Errorf("site %q runs on a swarm: %w (the manager's Engine API cannot exec into tasks on other nodes)", s.Name, target.ErrNoExec)
}

// Remove removes the stack; with Volumes also its secrets, the volumes on
// the manager (where the database is pinned) and the database's node label.
func (t *Target) Remove(ctx context.Context, s site.Spec, opts target.RemoveOptions) error {
	ro := RemoveOptions{}
	if opts.Volumes {
		ro = RemoveOptions{Secrets: true, Volumes: true, NodeLabel: plan.DBNodeLabel(s.Name), JobImage: t.dbImage(ctx, s)}
	}
	if err := t.cluster.Remove(ctx, s.StackName(), ro); err != nil {
		return err
	}
	events.Emit(ctx, "stack "+s.StackName(), events.Done, "removed")
	return nil
}

// Resources lists the stack's services.
func (t *Target) Resources(ctx context.Context, s site.Spec) ([]string, error) {
	svcs, err := t.cluster.stackServices(ctx, s.StackName())
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(svcs))
	for _, sv := range svcs {
		out = append(out, "service "+sv.Spec.Name)
	}
	return out, nil
}

// dbImage is the newest db image on this manager under the site's registry
// (what every node can pull), for jobs when the stack's services are gone.
func (t *Target) dbImage(ctx context.Context, s site.Spec) string {
	list, err := t.cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", images.LabelRole+"="+string(images.RoleDB)))})
	if err != nil {
		return ""
	}
	best, created := "", int64(0)
	for _, im := range list {
		for _, tag := range im.RepoTags {
			if (s.Registry == "" || strings.HasPrefix(tag, s.Registry+"/")) && im.Created >= created {
				best, created = tag, im.Created
			}
		}
	}
	return best
}
