package service

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/engine"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
	"github.com/wpstack/wpstack/internal/swarm"
)

// rollingServices are the services an update changes and a rollback returns.
func rollingServices() []string { return []string{site.ServiceWeb, plan.ServiceCron} }

// swarmTarget is a connection to a swarm manager and what it says of itself.
type swarmTarget struct {
	cli     *client.Client
	cluster *swarm.Cluster
	info    swarm.Info
}

func (s *Service) connectSwarm(ctx context.Context) (*swarmTarget, error) {
	cli, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	c := swarm.New(cli)
	info, err := c.Info(ctx)
	if err != nil {
		cli.Close()
		return nil, err
	}
	return &swarmTarget{cli: cli, cluster: c, info: info}, nil
}

// checkCluster refuses a spec the cluster cannot run, before anything is
// built or written.
func checkCluster(spec site.Spec, info swarm.Info) error {
	if info.Nodes > 1 && spec.Registry == "" {
		return fmt.Errorf("the swarm has %d nodes and images must reach every one: give a registry all nodes can pull from with --registry HOST:PORT (e.g. --registry registry.example:5000)", info.Nodes)
	}
	if info.Nodes > 1 && spec.Replicas > 1 && spec.SharedStorage == "" {
		return fmt.Errorf("%d web replicas on a %d-node swarm need a shared wp-content, else an upload exists on one replica only: give a path mounted on every node (NFS, GlusterFS...) with --shared-storage PATH", spec.Replicas, info.Nodes)
	}
	return nil
}

// deployOptions are the facts a swarm deploy needs besides the spec.
type deployOptions struct {
	source   string // WordPress source; "" = the spec's
	webImage string // a web image to run instead of building one
	since    time.Time
}

// deploySwarm builds what is missing, pushes to the registry, deploys the
// stack and waits until it has converged (an update rolled back is an
// error wrapping swarm.ErrRolledBack). It returns the image set.
func (s *Service) deploySwarm(ctx context.Context, t *swarmTarget, spec site.Spec, opts deployOptions) (images.Set, error) {
	if opts.source == "" {
		opts.source = spec.WordPressSource
	}
	iopts := images.Options{Source: opts.source, CacheDir: s.cacheDir, Binary: s.binary}
	set, err := images.Ensure(ctx, t.cli, iopts)
	if err != nil {
		return set, err
	}
	edge, err := images.EnsureEdge(ctx, t.cli, iopts)
	if err != nil {
		return set, err
	}
	web := set.Web
	if opts.webImage != "" {
		web = opts.webImage
	}
	if spec.Registry != "" {
		for _, ref := range []string{web, set.DB, edge} {
			if err := t.cluster.Push(ctx, ref, plan.StackImage(spec.Registry, ref)); err != nil {
				return set, err
			}
		}
	}
	// A missing --shared-storage folder would only show as rejected tasks:
	// refuse it, naming the nodes, before anything of the site is made.
	if spec.SharedStorage != "" {
		if err := t.cluster.CheckBindSource(ctx, swarm.ProbeOptions{Name: spec.ServiceName("storage-probe"), Path: spec.SharedStorage,
			Image: plan.StackImage(spec.Registry, edge), Labels: spec.Labels("storage-probe"), QueryRegistry: spec.Registry != ""}); err != nil {
			return set, err
		}
	}
	if err := s.store.EnsureSecrets(spec.Name); err != nil {
		return set, err
	}
	p, err := plan.Build(spec, plan.Inputs{WebImage: web, DBImage: set.DB, SecretsDir: s.store.SecretsDir(spec.Name)})
	if err != nil {
		return set, err
	}
	stack, err := plan.Stack(p, plan.StackOptions{
		Replicas: spec.Replicas, Registry: spec.Registry, SharedStorage: spec.SharedStorage, EdgeImage: edge,
		WordPressVersion: set.WordPressVersion,
	})
	if err != nil {
		return set, err
	}
	node, err := t.cluster.PinNode(ctx, plan.DBNodeLabel(spec.Name), t.info.NodeID)
	if err != nil {
		return set, err
	}
	events.Emit(ctx, "service db", events.Info, "pinned to node "+node+" (label "+plan.DBNodeLabel(spec.Name)+"=true), where its volume lives")
	if err := t.cluster.Deploy(ctx, stack, swarm.DeployOptions{QueryRegistry: spec.Registry != ""}); err != nil {
		return set, err
	}
	return set, t.cluster.Wait(ctx, spec.StackName(), swarm.WaitOptions{Since: opts.since})
}

// upSwarm is Up for a swarm site.
func (s *Service) upSwarm(ctx context.Context, spec site.Spec, created bool, start time.Time) (UpResult, error) {
	t, err := s.connectSwarm(ctx)
	if err != nil {
		return UpResult{}, err
	}
	defer t.cli.Close()
	if err := checkCluster(spec, t.info); err != nil {
		return UpResult{}, err
	}
	if err := s.store.Save(spec); err != nil {
		return UpResult{}, err
	}
	set, err := s.deploySwarm(ctx, t, spec, deployOptions{since: start})
	if err != nil {
		return UpResult{}, err
	}
	if err := waitEdge(ctx, reachHost(t.info), spec, 2*time.Minute); err != nil {
		return UpResult{}, err
	}
	eng := engine.New(t.cli, engine.Options{ReachHost: reachHost(t.info)})
	pw, err := s.store.ReadSecret(spec.Name, state.SecretAdmin)
	if err != nil {
		return UpResult{}, err
	}
	if err := eng.Install(ctx, spec, engine.InstallOptions{AdminPassword: pw}); err != nil {
		return UpResult{}, err
	}
	if err := eng.WaitServing(ctx, spec, 60*time.Second); err != nil {
		return UpResult{}, err
	}
	return UpResult{
		Name:              spec.Name,
		URL:               spec.URL(),
		AdminUser:         spec.AdminUser,
		AdminPasswordFile: s.store.SecretPath(spec.Name, state.SecretAdmin),
		WordPressVersion:  set.WordPressVersion,
		WordPressSource:   set.SourceDescription,
		BaseOrigin:        set.BaseOrigin,
		Created:           created,
		Duration:          time.Since(start),
	}, nil
}

// reachHost is where this process reaches the site's port on the cluster:
// the host of a tcp:// or ssh:// DOCKER_HOST, else the manager's swarm
// address (the edge publishes the port on every node).
func reachHost(info swarm.Info) string {
	if u, err := url.Parse(os.Getenv("DOCKER_HOST")); err == nil && (u.Scheme == "tcp" || u.Scheme == "ssh") && u.Hostname() != "" {
		return u.Hostname()
	}
	return info.NodeAddr
}

// waitEdge polls until the edge on the reached node passes a request to a
// healthy web replica: the edge's DNS refresh trails the tasks by a second
// or two, and the installer must not mistake the edge's 503 for a site.
func waitEdge(ctx context.Context, host string, spec site.Spec, timeout time.Duration) error {
	u := "http://" + net.JoinHostPort(host, strconv.Itoa(spec.Port)) + "/.wpstack/health"
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Host = spec.HostHeader()
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
			return fmt.Errorf("the site's edge at %s did not reach a healthy web replica within %s (last: %s); see `wpstack status %s`", u, timeout, last, spec.Name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
