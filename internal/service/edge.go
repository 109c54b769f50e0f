package service

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/dockerclient"
	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// edgeLock serialises every command that changes the edge. It cannot be a
// site's lock: site names never start with '_'.
const edgeLock = "_edge"

// edgeEngine is what the edge needs of a target: one engine's connection
// and port checks (the single-engine target has them).
type edgeEngine interface {
	Client() client.APIClient
	ReachHost() string
	CheckPorts(ctx context.Context, s site.Spec, host *container.HostConfig) error
}

func (s *Service) edgeManager(e edgeEngine, spec site.Spec) *edge.Manager {
	return &edge.Manager{
		Cli:  e.Client(),
		Root: s.store.Root,
		Image: func(ctx context.Context) (string, error) {
			return images.EnsureEdgeNginx(ctx, e.Client(), s.imageOptions(""))
		},
		CheckPorts: func(ctx context.Context, host *container.HostConfig) error { return e.CheckPorts(ctx, spec, host) },
		ReachHost:  e.ReachHost(),
		SaltsFile:  func(name string) string { return s.store.SecretPath(name, state.SecretWPSalts) },
	}
}

// checkDomains refuses, before anything changes, a site with domains that
// another site already claims, or that asks the one edge for other ports,
// or whose own certificate does not hold.
func (s *Service) checkDomains(spec site.Spec) error {
	if !spec.HasDomains() {
		return nil
	}
	names, err := s.store.List()
	if err != nil {
		return err
	}
	mine := map[string]bool{}
	for _, d := range spec.Domains {
		mine[d] = true
	}
	for _, n := range names {
		if n == spec.Name {
			continue
		}
		other, err := s.store.Load(n)
		if err != nil || !other.HasDomains() {
			continue
		}
		for _, d := range other.Domains {
			if mine[d] {
				return fmt.Errorf("domain %q is already site %q's: one name routes to one site; choose another name, or remove it from %q first (wpstack destroy %s)", d, n, n, n)
			}
		}
		if clash, why := portsClash(spec, other); clash {
			return errors.New(why)
		}
	}
	return edge.CheckSite(spec, time.Now())
}

// edgeSites are the sites the edge serves: every site with domains whose
// web container exists, plus include, minus exclude.
func (s *Service) edgeSites(ctx context.Context, cli client.APIClient, include *site.Spec, exclude string) ([]site.Spec, error) {
	names, err := s.store.List()
	if err != nil {
		return nil, err
	}
	var out []site.Spec
	for _, n := range names {
		if n == exclude || (include != nil && n == include.Name) {
			continue
		}
		spec, err := s.store.Load(n)
		// A swarm site's edge is a service of its own stack, not this one.
		if err != nil || !spec.HasDomains() || spec.Target == site.TargetSwarm {
			continue
		}
		_, err = cli.ContainerInspect(ctx, spec.ContainerName(site.ServiceWeb))
		if errdefs.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("inspect the web container of site %q: %w", n, err)
		}
		out = append(out, spec)
	}
	if include != nil {
		out = append(out, *include)
	}
	return out, nil
}

// leaveEdge takes a site with domains off the edge before its containers
// and networks go (down, destroy); the last one removes the edge.
func (s *Service) leaveEdge(ctx context.Context, t any, spec site.Spec) error {
	if !spec.HasDomains() {
		return nil
	}
	unlock, err := s.store.Lock(ctx, edgeLock, func() {
		events.Emit(ctx, "edge", events.Info, "waiting for another wpstack command on the edge to finish")
	})
	if err != nil {
		return err
	}
	defer unlock()
	return s.syncEdge(ctx, t, spec, true)
}

// syncEdge brings the edge in step with the sites, with spec included (up)
// or left out (down, destroy), under the edge lock the caller holds. A
// target without an edge has nothing to do.
func (s *Service) syncEdge(ctx context.Context, t any, spec site.Spec, leaving bool) error {
	e, ok := t.(edgeEngine)
	if !ok {
		return nil
	}
	var (
		sites []site.Spec
		err   error
	)
	if leaving {
		sites, err = s.edgeSites(ctx, e.Client(), nil, spec.Name)
	} else {
		sites, err = s.edgeSites(ctx, e.Client(), &spec, "")
	}
	if err != nil {
		return err
	}
	m, err := s.acmeManager(e, spec)
	if err != nil {
		return err
	}
	if !leaving {
		// Every reconfiguration renews what is due (see acme.go).
		s.renewDue(ctx, m, sites, edge.RenewBefore)
	}
	_, err = m.Sync(ctx, sites)
	return err
}

// siteTLS is how wpstack itself reaches a site through the edge: by its
// first domain (SNI), trusting the system's roots and the site's own
// issuer (the local CA's root, or the user's certificate file).
func (s *Service) siteTLS(spec site.Spec) (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	m := edge.Manager{Root: s.store.Root}
	file := spec.CertFile
	switch spec.TLS {
	case site.TLSLocal:
		file, _ = edge.CAPaths(m.CADir())
	case site.TLSACME:
		// The chain the CA sent: its intermediate is the issuer to trust
		// (a public CA's root is among the system's anyway).
		file = m.CertFile(spec.Name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the issuer of site %q's certificate: %w", spec.Name, err)
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return &tls.Config{ServerName: spec.Domains[0], RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// EdgeSite is one site in `wpstack edge status`.
type EdgeSite struct {
	Name       string    `json:"name"`
	Domains    []string  `json:"domains"`
	URL        string    `json:"url"`
	TLS        string    `json:"tls"`
	CertExpiry time.Time `json:"cert_expiry,omitempty"`
	Serving    bool      `json:"serving"`
}

// EdgeStatus is `wpstack edge status`.
type EdgeStatus struct {
	Container string     `json:"container"`
	State     string     `json:"state"` // running, stopped, absent
	HTTPPort  int        `json:"http_port,omitempty"`
	HTTPSPort int        `json:"https_port,omitempty"`
	Image     string     `json:"image,omitempty"`
	CAFile    string     `json:"ca_file"`
	Sites     []EdgeSite `json:"sites"`
}

// EdgeStatus reports the edge and the sites with domains.
func (s *Service) EdgeStatus(ctx context.Context) (EdgeStatus, error) {
	m := edge.Manager{Root: s.store.Root}
	caFile, _ := edge.CAPaths(m.CADir())
	st := EdgeStatus{Container: edge.ContainerName, State: "absent", CAFile: caFile}
	cli, err := s.connect(ctx)
	if err != nil {
		return st, err
	}
	defer cli.Close()
	c, err := cli.ContainerInspect(ctx, edge.ContainerName)
	switch {
	case err == nil && c.Config.Labels[edge.LabelHome] == s.store.Root:
		st.State, st.Image = c.State.Status, c.Config.Image
	case err == nil:
		st.State = "another state directory's (" + c.Config.Labels[edge.LabelHome] + ")"
	case !errdefs.IsNotFound(err):
		return st, fmt.Errorf("inspect the edge: %w", err)
	}
	serving, err := s.edgeSites(ctx, cli, nil, "")
	if err != nil {
		return st, err
	}
	up := map[string]bool{}
	for _, sp := range serving {
		up[sp.Name] = true
	}
	names, err := s.store.List()
	if err != nil {
		return st, err
	}
	for _, n := range names {
		spec, err := s.store.Load(n)
		if err != nil || !spec.HasDomains() || spec.Target == site.TargetSwarm {
			continue
		}
		st.HTTPPort, st.HTTPSPort = spec.HTTPPort, spec.HTTPSPort
		es := EdgeSite{Name: n, Domains: spec.Domains, URL: spec.URL(), TLS: spec.TLS, Serving: up[n] && st.State == "running"}
		if b, err := os.ReadFile(m.ConfHostDir() + "/certs/" + n + ".crt"); err == nil {
			es.CertExpiry, _ = edge.CertExpiry(b)
		}
		st.Sites = append(st.Sites, es)
	}
	return st, nil
}

// EdgeLogsOptions select the edge's logs.
type EdgeLogsOptions struct {
	Follow bool
	Tail   string
	Out    io.Writer
}

// EdgeLogs streams the edge's logs (nginx's access and error lines).
func (s *Service) EdgeLogs(ctx context.Context, opts EdgeLogsOptions) error {
	cli, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	tail := opts.Tail
	if tail == "" {
		tail = "all"
	}
	rc, err := cli.ContainerLogs(ctx, edge.ContainerName, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: opts.Follow, Tail: tail})
	if errdefs.IsNotFound(err) {
		return fmt.Errorf("no edge runs on this engine: it starts with the first `wpstack up SITE --domain NAME`")
	}
	if err != nil {
		return fmt.Errorf("read the edge's logs: %w", err)
	}
	defer rc.Close()
	var mu sync.Mutex
	return dockerclient.CopyLogLines(ctx, rc, opts.Out, &mu, "", edge.ContainerName)
}

// EdgeCA returns the local CA's root certificate file, making the CA when
// there is none yet (so it can be trusted before the first site).
func (s *Service) EdgeCA() (string, error) {
	m := edge.Manager{Root: s.store.Root}
	ca, err := edge.LoadOrCreateCA(m.CADir(), time.Now())
	if err != nil {
		return "", err
	}
	return ca.CertFile, nil
}

// domainsText lists a site's names for messages.
func domainsText(spec site.Spec) string { return strings.Join(spec.Domains, ", ") }
