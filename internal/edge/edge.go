package edge

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/subnet"
)

// Names and labels of the edge's resources on the engine.
const (
	ContainerName = contract.EdgeContainer
	// HomeNetwork is the edge's own network: it publishes the ports through
	// it and nothing else is on it. The sites' edge networks are internal,
	// so they never take over as the container's gateway (and its ports).
	HomeNetwork = "wpstack-edge"
	LabelRole   = contract.LabelRole
	RoleEdge    = "edge"
	// LabelHome is the state directory whose sites the edge serves: one
	// edge per engine, and never one wpstack's edge taken by another.
	LabelHome = contract.LabelEdgeHome
	// UID is the edge image's user, owner of the files it reads.
	UID = 10080
)

var resource = "edge " + ContainerName

// Manager keeps the edge of one engine in step with the sites it serves.
type Manager struct {
	Cli client.APIClient
	// Root is the state directory: certificates and configuration live
	// under Root/edge.
	Root string
	// Image returns the edge image, building it when missing.
	Image func(ctx context.Context) (string, error)
	// CheckPorts refuses host ports someone else holds, naming who.
	CheckPorts func(ctx context.Context, host *container.HostConfig) error
	// ReachHost is where this process reaches the edge's published ports.
	ReachHost string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// SaltsFile is where a site's salts file is: its purge token is
	// derived from it (PurgeToken).
	SaltsFile func(site string) string
	// ACMERoots, when set, are the roots trusted for the ACME directory's
	// HTTPS instead of the system's (a private or test CA).
	ACMERoots *x509.CertPool
}

// PurgeToken is a site's secret for the edge's purge endpoint, derived
// from its salts file as the web image's plugin derives it: no new secret
// to keep, and one site's token says nothing about another's.
func PurgeToken(salts []byte) string {
	mac := hmac.New(sha256.New, salts)
	mac.Write([]byte(contract.EdgePurgeMessage))
	return hex.EncodeToString(mac.Sum(nil))
}

// Dir is the edge's folder in the state directory.
func (m *Manager) Dir() string { return filepath.Join(m.Root, "edge") }

// CADir holds the local CA (root.crt, root.key).
func (m *Manager) CADir() string { return filepath.Join(m.Dir(), "ca") }

// ConfHostDir is the folder mounted read-only at ConfDir in the edge.
func (m *Manager) ConfHostDir() string { return filepath.Join(m.Dir(), "conf") }

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Ports are the edge's host ports.
type Ports struct{ HTTP, HTTPS int }

// CheckSite refuses, before anything changes, a site whose TLS cannot be
// served: a user's pair that does not hold (see CheckPair).
func CheckSite(s site.Spec, now time.Time) error {
	if s.TLS != site.TLSCert {
		return nil
	}
	cert, err := os.ReadFile(s.CertFile)
	if err != nil {
		return fmt.Errorf("--cert %s: %w", s.CertFile, err)
	}
	key, err := os.ReadFile(s.KeyFile)
	if err != nil {
		return fmt.Errorf("--key %s: %w", s.KeyFile, err)
	}
	if _, err := CheckPair(cert, key, s.Domains, now); err != nil {
		return fmt.Errorf("--cert %s and --key %s: %w", s.CertFile, s.KeyFile, err)
	}
	return nil
}

// Sync makes the edge serve exactly sites (each with domains, its web
// container made): certificates issued or copied, the configuration
// rendered and checked, the sites' networks joined, nginx reloaded
// gracefully (requests in flight finish on the old workers), and returns
// once the edge serves every site's certificate. With no site, the edge
// is removed. It returns whether the edge was removed.
func (m *Manager) Sync(ctx context.Context, sites []site.Spec) (removed bool, err error) {
	if len(sites) == 0 {
		return m.remove(ctx)
	}
	sort.Slice(sites, func(i, j int) bool { return sites[i].Name < sites[j].Name })
	ports := Ports{HTTP: sites[0].HTTPPort, HTTPS: sites[0].HTTPSPort}
	for _, s := range sites[1:] {
		if s.HTTPPort != ports.HTTP || s.HTTPSPort != ports.HTTPS {
			return false, fmt.Errorf("sites %q and %q ask the one edge for different ports (%d/%d and %d/%d): give every site with --domain the same --http-port and --https-port", sites[0].Name, s.Name, ports.HTTP, ports.HTTPS, s.HTTPPort, s.HTTPSPort)
		}
	}
	if err := m.prepareDirs(); err != nil {
		return false, err
	}
	cfg := Config{HTTPSPort: ports.HTTPS}
	leaves := map[string][]byte{}
	cacheBytes := map[string]int64{}
	// The sites served over HTTPS; a --tls acme site without a certificate
	// yet is pending: the edge answers its challenges only.
	var served []site.Spec
	for _, s := range sites {
		leaf, err := m.ensureCert(ctx, s)
		if err != nil {
			return false, err
		}
		if leaf == nil {
			cfg.Sites = append(cfg.Sites, Site{Name: s.Name, Names: s.Domains, ACME: true, Pending: true})
			continue
		}
		served = append(served, s)
		leaves[s.Name] = leaf
		es, err := m.siteConfig(s, Backend(s.ContainerName(site.ServiceWeb)), cacheBytes)
		if err != nil {
			return false, err
		}
		es.ACME, es.CertID = s.TLS == site.TLSACME, certID(leaf)
		cfg.Sites = append(cfg.Sites, es)
	}
	if info, err := m.Cli.Info(ctx); err == nil {
		if err := checkCacheRoom(cacheBytes, info.MemTotal); err != nil {
			return false, err
		}
	}
	conf, err := Render(cfg)
	if err != nil {
		return false, err
	}
	img, err := m.Image(ctx)
	if err != nil {
		return false, err
	}
	if err := m.ensureHomeNetwork(ctx); err != nil {
		return false, err
	}
	cur, err := m.inspect(ctx)
	if err != nil {
		return false, err
	}
	hash := m.containerHash(img, ports)
	if cur != nil && cur.Config.Labels[site.LabelConfig] != hash {
		events.Emit(ctx, resource, events.Working, "image or ports changed, re-creating")
		if err := m.removeContainer(ctx); err != nil {
			return false, err
		}
		cur = nil
	}
	confPath := filepath.Join(m.ConfHostDir(), "nginx.conf")
	old, _ := os.ReadFile(confPath)
	if cur != nil && cur.State != nil && cur.State.Running {
		// Checked by nginx itself before it replaces the running one.
		if err := m.writeConf("nginx.conf.next", conf); err != nil {
			return false, err
		}
		if out, code, err := m.exec(ctx, []string{"/usr/sbin/nginx", "-e", "stderr", "-t", "-q", "-c", ConfDir + "/nginx.conf.next"}); err != nil || code != 0 {
			return false, fmt.Errorf("the edge refuses its new configuration (%s): %s%v", confPath+".next", out, err)
		}
		if err := os.Rename(confPath+".next", confPath); err != nil {
			return false, fmt.Errorf("install the edge's configuration: %w", err)
		}
	} else if err := m.writeConf("nginx.conf", conf); err != nil {
		return false, err
	}
	// Networks first: a site must be reachable before nginx routes to it.
	if cur == nil {
		if err := m.create(ctx, img, ports, hash); err != nil {
			return false, err
		}
	} else if cur.State == nil || !cur.State.Running {
		events.Emit(ctx, resource, events.Working, "starting")
		if err := m.Cli.ContainerStart(ctx, ContainerName, container.StartOptions{}); err != nil {
			return false, fmt.Errorf("start the edge: %w", err)
		}
	}
	if err := m.connect(ctx, served); err != nil {
		return false, err
	}
	if cur != nil && cur.State != nil && cur.State.Running && !bytes.Equal(old, conf) {
		if err := m.reload(ctx); err != nil {
			return false, err
		}
	}
	if err := m.disconnectOthers(ctx, served); err != nil {
		return false, err
	}
	return false, m.waitServing(ctx, ports, served, leaves)
}

// certID names a certificate chain in the configuration: nginx reads
// certificates when it loads its configuration, so a renewed one (same
// path, new bytes) must change the configuration to be reloaded.
func certID(chain []byte) string {
	sum := sha256.Sum256(chain)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

func (m *Manager) prepareDirs() error {
	for _, d := range []string{m.Dir(), m.ConfHostDir(), filepath.Join(m.ConfHostDir(), certsSubdir), filepath.Join(m.ConfHostDir(), challengeSubdir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("create the edge's folder %s: %w", d, err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("set the mode of %s: %w", d, err)
		}
	}
	// The edge runs as UID; when wpstack runs as root the folder it reads is
	// UID's alone (else the edge runs as the invoking user, see user()).
	if os.Geteuid() == 0 {
		for _, d := range []string{m.ConfHostDir(), filepath.Join(m.ConfHostDir(), certsSubdir), filepath.Join(m.ConfHostDir(), challengeSubdir)} {
			if err := os.Chown(d, UID, UID); err != nil {
				return fmt.Errorf("give %s to the edge's user: %w", d, err)
			}
		}
	}
	return nil
}

// writeConf writes a file the edge reads: 0600, its user's.
func (m *Manager) writeConf(rel string, data []byte) error {
	p := filepath.Join(m.ConfHostDir(), rel)
	if err := writeFile(p, data, 0o600); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(p, UID, UID); err != nil {
			return fmt.Errorf("give %s to the edge's user: %w", p, err)
		}
	}
	return nil
}

// ensureCert puts the site's certificate and key where the edge reads
// them and returns the certificate (PEM): for local, a leaf of the local
// CA, issued again when it has under 30 days left or lacks a name; for
// cert, the user's pair, checked again; for acme, the one the CA issued
// (IssueACME), or nil while there is none: the site is pending.
func (m *Manager) ensureCert(ctx context.Context, s site.Spec) ([]byte, error) {
	certRel := filepath.Join(certsSubdir, s.Name+".crt")
	keyRel := filepath.Join(certsSubdir, s.Name+".key")
	res := "certificate " + s.Name
	switch s.TLS {
	case site.TLSCert:
		cert, err := os.ReadFile(s.CertFile)
		if err != nil {
			return nil, fmt.Errorf("--cert %s: %w", s.CertFile, err)
		}
		key, err := os.ReadFile(s.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("--key %s: %w", s.KeyFile, err)
		}
		until, err := CheckPair(cert, key, s.Domains, m.now())
		if err != nil {
			return nil, fmt.Errorf("site %q: --cert %s and --key %s: %w", s.Name, s.CertFile, s.KeyFile, err)
		}
		if err := m.writeConf(keyRel, key); err != nil {
			return nil, err
		}
		if err := m.writeConf(certRel, cert); err != nil {
			return nil, err
		}
		events.Emit(ctx, res, events.Done, "the given certificate, valid until "+until.UTC().Format("2006-01-02"))
		return cert, nil
	case site.TLSACME:
		have, err := os.ReadFile(filepath.Join(m.ConfHostDir(), certRel))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the certificate of site %q: %w", s.Name, err)
		}
		if _, err := os.Stat(filepath.Join(m.ConfHostDir(), keyRel)); err != nil {
			return nil, nil
		}
		return have, nil
	case site.TLSLocal:
		have, err := os.ReadFile(filepath.Join(m.ConfHostDir(), certRel))
		if err == nil && !NeedsRenewal(have, s.Domains, m.now()) {
			if _, err := os.Stat(filepath.Join(m.ConfHostDir(), keyRel)); err == nil {
				return have, nil
			}
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read the certificate of site %q: %w", s.Name, err)
		}
		ca, err := LoadOrCreateCA(m.CADir(), m.now())
		if err != nil {
			return nil, err
		}
		leaf, err := ca.Issue(s.Domains, m.now())
		if err != nil {
			return nil, err
		}
		if err := m.writeConf(keyRel, leaf.KeyPEM); err != nil {
			return nil, err
		}
		if err := m.writeConf(certRel, leaf.CertPEM); err != nil {
			return nil, err
		}
		events.Emit(ctx, res, events.Done, fmt.Sprintf("issued by the local CA for %s, valid until %s", strings.Join(s.Domains, ", "), leaf.NotAfter.UTC().Format("2006-01-02")))
		return leaf.CertPEM, nil
	}
	return nil, fmt.Errorf("site %q: unknown TLS source %q", s.Name, s.TLS)
}

func (m *Manager) inspect(ctx context.Context) (*container.InspectResponse, error) {
	c, err := m.Cli.ContainerInspect(ctx, ContainerName)
	if errdefs.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inspect the edge %q: %w", ContainerName, err)
	}
	if c.Config.Labels[LabelRole] != RoleEdge {
		return nil, fmt.Errorf("a container named %q exists and is not wpstack's edge: remove or rename it (docker rm -f %s)", ContainerName, ContainerName)
	}
	if h := c.Config.Labels[LabelHome]; h != m.Root {
		return nil, fmt.Errorf("the edge %q on this engine serves the sites of another wpstack state directory (%s): run wpstack with WPSTACK_HOME=%s, or remove that edge's sites first", ContainerName, h, h)
	}
	return &c, nil
}

// user is who the edge runs as: its image's user when wpstack is root (the
// files are then that user's), else the invoking user, owner of the files.
func user() string {
	if os.Geteuid() == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", os.Geteuid(), os.Getegid())
}

func (m *Manager) containerHash(img string, p Ports) string {
	b, _ := json.Marshal([]any{img, p, user(), m.ConfHostDir(), "v2"})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

func (m *Manager) hostConfig(p Ports) *container.HostConfig {
	return &container.HostConfig{
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
		ReadonlyRootfs: true,
		Tmpfs:          map[string]string{"/tmp": "size=192m", cacheDir: cacheTmpfs},
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges:true"},
		Mounts:         []mount.Mount{{Type: mount.TypeBind, Source: m.ConfHostDir(), Target: ConfDir, ReadOnly: true}},
		NetworkMode:    container.NetworkMode(HomeNetwork),
		PortBindings: nat.PortMap{
			nat.Port(fmt.Sprintf("%d/tcp", ListenHTTP)):  {{HostPort: strconv.Itoa(p.HTTP)}},
			nat.Port(fmt.Sprintf("%d/tcp", ListenHTTPS)): {{HostPort: strconv.Itoa(p.HTTPS)}},
		},
	}
}

func (m *Manager) create(ctx context.Context, img string, p Ports, hash string) error {
	host := m.hostConfig(p)
	if err := m.CheckPorts(ctx, host); err != nil {
		return err
	}
	stop := 30
	cfg := &container.Config{
		Image: img,
		User:  user(),
		Labels: map[string]string{
			LabelRole: RoleEdge, site.LabelManaged: "true", LabelHome: m.Root, site.LabelConfig: hash,
		},
		ExposedPorts: nat.PortSet{
			nat.Port(fmt.Sprintf("%d/tcp", ListenHTTP)):  {},
			nat.Port(fmt.Sprintf("%d/tcp", ListenHTTPS)): {},
		},
		StopTimeout: &stop,
	}
	events.Emit(ctx, resource, events.Working, fmt.Sprintf("creating (HTTP on %d, HTTPS on %d)", p.HTTP, p.HTTPS))
	created, err := m.Cli.ContainerCreate(ctx, cfg, host, &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{HomeNetwork: {}}}, nil, ContainerName)
	if err != nil {
		return fmt.Errorf("create the edge: %w", err)
	}
	if err := m.Cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		_ = m.Cli.ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true})
		if strings.Contains(err.Error(), "address already in use") || strings.Contains(err.Error(), "port is already allocated") {
			return fmt.Errorf("start the edge: %w: a host port is in use; choose others with --http-port and --https-port", err)
		}
		return fmt.Errorf("start the edge: %w", err)
	}
	events.Emit(ctx, resource, events.Done, "started")
	return nil
}

func (m *Manager) ensureHomeNetwork(ctx context.Context) error {
	n, err := m.Cli.NetworkInspect(ctx, HomeNetwork, network.InspectOptions{})
	if err == nil {
		if n.Labels[LabelRole] != RoleEdge {
			return fmt.Errorf("a network named %q exists and is not wpstack's: remove it (docker network rm %s)", HomeNetwork, HomeNetwork)
		}
		return nil
	}
	if !errdefs.IsNotFound(err) {
		return fmt.Errorf("inspect network %q: %w", HomeNetwork, err)
	}
	_, err = subnet.Create(ctx, m.Cli, HomeNetwork, network.CreateOptions{Driver: "bridge", Labels: map[string]string{LabelRole: RoleEdge, site.LabelManaged: "true", LabelHome: m.Root}})
	if err != nil {
		return fmt.Errorf("create network %q: %w", HomeNetwork, err)
	}
	events.Emit(ctx, "network "+HomeNetwork, events.Done, "created")
	return nil
}

// connect joins the edge to every site's edge network it is not on yet.
func (m *Manager) connect(ctx context.Context, sites []site.Spec) error {
	c, err := m.Cli.ContainerInspect(ctx, ContainerName)
	if err != nil {
		return fmt.Errorf("inspect the edge: %w", err)
	}
	for _, s := range sites {
		name := s.EdgeNetworkName()
		if _, ok := c.NetworkSettings.Networks[name]; ok {
			continue
		}
		if err := m.Cli.NetworkConnect(ctx, name, ContainerName, nil); err != nil {
			return fmt.Errorf("connect the edge to network %q of site %q: %w", name, s.Name, err)
		}
		events.Emit(ctx, "network "+name, events.Done, "edge connected")
	}
	return nil
}

// disconnectOthers leaves the edge networks of sites it no longer serves.
func (m *Manager) disconnectOthers(ctx context.Context, sites []site.Spec) error {
	want := map[string]bool{HomeNetwork: true}
	for _, s := range sites {
		want[s.EdgeNetworkName()] = true
	}
	c, err := m.Cli.ContainerInspect(ctx, ContainerName)
	if err != nil {
		return fmt.Errorf("inspect the edge: %w", err)
	}
	for name := range c.NetworkSettings.Networks {
		if want[name] {
			continue
		}
		if err := m.Cli.NetworkDisconnect(ctx, name, ContainerName, true); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("disconnect the edge from network %q: %w", name, err)
		}
		events.Emit(ctx, "network "+name, events.Done, "edge disconnected")
	}
	return nil
}

// DisconnectNetwork takes the edge off one network (a site's, before it is
// removed); not an error when either is gone.
func DisconnectNetwork(ctx context.Context, cli client.APIClient, network string) error {
	err := cli.NetworkDisconnect(ctx, network, ContainerName, true)
	if err != nil && !errdefs.IsNotFound(err) && !strings.Contains(err.Error(), "is not connected") {
		return fmt.Errorf("disconnect the edge from network %q: %w", network, err)
	}
	return nil
}

func (m *Manager) remove(ctx context.Context) (bool, error) {
	cur, err := m.inspect(ctx)
	if err != nil {
		return false, err
	}
	gone := false
	if cur != nil {
		events.Emit(ctx, resource, events.Working, "no site has a domain any more: removing the edge")
		if err := m.removeContainer(ctx); err != nil {
			return false, err
		}
		gone = true
	}
	if n, err := m.Cli.NetworkInspect(ctx, HomeNetwork, network.InspectOptions{}); err == nil && n.Labels[LabelRole] == RoleEdge && n.Labels[LabelHome] == m.Root {
		if err := m.Cli.NetworkRemove(ctx, HomeNetwork); err != nil && !errdefs.IsNotFound(err) {
			return gone, fmt.Errorf("remove network %q: %w", HomeNetwork, err)
		}
	}
	if gone {
		events.Emit(ctx, resource, events.Done, "removed: ports freed (the local CA and certificates stay in "+m.Dir()+")")
	}
	return gone, nil
}

func (m *Manager) removeContainer(ctx context.Context) error {
	t := 30
	if err := m.Cli.ContainerStop(ctx, ContainerName, container.StopOptions{Timeout: &t}); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("stop the edge: %w", err)
	}
	if err := m.Cli.ContainerRemove(ctx, ContainerName, container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) && !strings.Contains(err.Error(), "already in progress") {
		return fmt.Errorf("remove the edge: %w", err)
	}
	return nil
}

// reload has nginx load its new configuration and returns once the workers
// of the old one have stopped accepting connections: until then a new
// connection may still meet the old configuration.
func (m *Manager) reload(ctx context.Context) error {
	old, err := m.workers(ctx)
	if err != nil {
		return err
	}
	if out, code, err := m.exec(ctx, []string{"/usr/sbin/nginx", "-e", "stderr", "-c", ConfFile, "-s", "reload"}); err != nil || code != 0 {
		return fmt.Errorf("reload the edge: %s%v", out, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		live, err := m.workers(ctx)
		if err != nil {
			return err
		}
		left := 0
		for pid := range old {
			if live[pid] {
				left++
			}
		}
		if left == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("reload the edge: %d worker(s) of the old configuration still accept connections after 30s; see `wpstack edge logs`", left)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// A worker retitles itself just before it closes its listening sockets.
	time.Sleep(100 * time.Millisecond)
	events.Emit(ctx, resource, events.Done, "configuration reloaded (graceful: requests in flight finish on the old workers)")
	return nil
}

// workers are the PIDs of nginx workers accepting connections (not the
// ones shutting down).
func (m *Manager) workers(ctx context.Context) (map[string]bool, error) {
	top, err := m.Cli.ContainerTop(ctx, ContainerName, []string{"-o", "pid,args"})
	if err != nil {
		return nil, fmt.Errorf("list the edge's processes: %w", err)
	}
	pidCol, argsCol := -1, -1
	for i, t := range top.Titles {
		switch t {
		case "PID":
			pidCol = i
		case "COMMAND", "CMD", "ARGS":
			argsCol = i
		}
	}
	if pidCol < 0 || argsCol < 0 {
		return nil, fmt.Errorf("list the edge's processes: unexpected columns %v", top.Titles)
	}
	out := map[string]bool{}
	for _, p := range top.Processes {
		if strings.HasPrefix(p[argsCol], "nginx: worker process") && !strings.Contains(p[argsCol], "shutting down") {
			out[p[pidCol]] = true
		}
	}
	return out, nil
}

// waitServing returns once the edge presents every site's certificate for
// its names: the new configuration is live.
func (m *Manager) waitServing(ctx context.Context, p Ports, sites []site.Spec, leaves map[string][]byte) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	addr := net.JoinHostPort(m.ReachHost, strconv.Itoa(p.HTTPS))
	for _, s := range sites {
		want, err := firstCert(leaves[s.Name])
		if err != nil {
			return err
		}
		for _, name := range s.Domains {
			var last error
			for {
				got, err := servedCert(ctx, addr, name)
				if err == nil && bytes.Equal(got, want.Raw) {
					break
				}
				if err == nil {
					err = errors.New("another certificate is served")
				}
				last = err
				select {
				case <-ctx.Done():
					return fmt.Errorf("the edge does not serve %s on %s after a minute (last: %v); see `wpstack edge logs`", name, addr, last)
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	}
	events.Emit(ctx, resource, events.Done, fmt.Sprintf("serving %d site(s) on HTTP %d, HTTPS %d", len(sites), p.HTTP, p.HTTPS))
	return nil
}

// servedCert is the leaf the edge presents for name. It only compares it
// with the one wpstack wrote, so the chain is not verified here.
func servedCert(ctx context.Context, addr, name string) ([]byte, error) {
	d := tls.Dialer{Config: &tls.Config{ServerName: name, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	st := c.(*tls.Conn).ConnectionState()
	if len(st.PeerCertificates) == 0 {
		return nil, errors.New("no certificate")
	}
	return st.PeerCertificates[0].Raw, nil
}

func (m *Manager) exec(ctx context.Context, cmd []string) (string, int, error) {
	ex, err := m.Cli.ContainerExecCreate(ctx, ContainerName, container.ExecOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return "", -1, fmt.Errorf("exec %q in the edge: %w", strings.Join(cmd, " "), err)
	}
	att, err := m.Cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return "", -1, fmt.Errorf("attach to exec in the edge: %w", err)
	}
	defer att.Close()
	var buf bytes.Buffer
	if _, err := stdcopyAll(&buf, att.Reader); err != nil {
		return buf.String(), -1, err
	}
	ins, err := m.Cli.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		return buf.String(), -1, fmt.Errorf("inspect exec in the edge: %w", err)
	}
	return buf.String(), ins.ExitCode, nil
}

// cacheDir is proxy_cache_path's folder in the edge (see render.go).
const cacheDir = "/tmp/nginx-cache"

// cacheKeyLine is the line nginx writes into each cache file's header: the
// key a site's pages are stored under starts with it ("https|HOST|URI").
func cacheKeyLine(host string) string { return "KEY: https|" + host + "|" }

// ValidPurgePath checks a path given to `wpstack cache purge`.
func ValidPurgePath(p string) error {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\x00\r\n\t ") {
		return fmt.Errorf("invalid path %q: give the page's path and query as a client requests it, starting with / (e.g. / or /2024/05/hello/ or /?p=12)", p)
	}
	return nil
}

// Purge drops a site's cached pages: the one at path (its request URI), or
// every page of the site with path "". It removes the cache files whose
// key is the site's, inside the edge (as the edge's user, who owns them):
// nginx then treats the page as a miss. It returns how many were removed.
func (m *Manager) Purge(ctx context.Context, host, path string) (int, error) {
	grep := "-rlaF"
	pattern := cacheKeyLine(host)
	if path != "" {
		if err := ValidPurgePath(path); err != nil {
			return 0, err
		}
		grep, pattern = "-rlaFx", pattern+path
	}
	// The pattern is an argument, never part of the script.
	out, code, err := m.exec(ctx, []string{"sh", "-c", `grep ` + grep + ` -e "$1" ` + cacheDir + ` 2>/dev/null | while IFS= read -r f; do rm -f -- "$f" && echo x; done`, "sh", pattern})
	if err != nil {
		return 0, err
	}
	if code != 0 {
		return 0, fmt.Errorf("purge the cache of %s in the edge: exit %d: %s", host, code, strings.TrimSpace(out))
	}
	return strings.Count(out, "x\n"), nil
}

// CacheUsage is what a site holds in the edge's cache: pages and bytes.
func (m *Manager) CacheUsage(ctx context.Context, host string) (pages int, bytes int64, err error) {
	out, code, err := m.exec(ctx, []string{"sh", "-c", `n=0; b=0; for f in $(grep -rlaF -e "$1" ` + cacheDir + ` 2>/dev/null); do n=$((n+1)); b=$((b+$(stat -c %s "$f"))); done; echo "$n $b"`, "sh", cacheKeyLine(host)})
	if err != nil {
		return 0, 0, err
	}
	if code != 0 {
		return 0, 0, fmt.Errorf("measure the cache of %s in the edge: exit %d: %s", host, code, strings.TrimSpace(out))
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(out), "%d %d", &pages, &bytes); err != nil {
		return 0, 0, fmt.Errorf("measure the cache of %s in the edge: %q: %w", host, out, err)
	}
	return pages, bytes, nil
}

// CacheCounts are a site's requests by X-Cache in the edge's access log.
type CacheCounts struct {
	Hits     int `json:"hits"`
	Misses   int `json:"misses"`
	Bypasses int `json:"bypasses"`
}

// CountCache reads the edge's access log lines (the wpstack log_format:
// peer, host, ..., X-Cache last) for requests to any of names.
func CountCache(log io.Reader, names []string) (CacheCounts, error) {
	mine := map[string]bool{}
	for _, n := range names {
		mine[strings.ToLower(n)] = true
	}
	var c CacheCounts
	sc := bufio.NewScanner(log)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || !mine[f[1]] {
			continue
		}
		switch f[len(f)-1] {
		case "HIT":
			c.Hits++
		case "MISS":
			c.Misses++
		case "BYPASS":
			c.Bypasses++
		}
	}
	return c, sc.Err()
}
