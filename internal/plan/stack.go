package plan

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// Endpoint modes of a swarm service.
const (
	EndpointVIP   = "vip"
	EndpointDNSRR = "dnsrr"
)

// Services and values the stack adds to the single-host plan.
const (
	ServiceEdge = "edge"
	ServiceCron = "cron"

	// VolumeContent holds wp-content when no shared storage is given: it
	// is per node, so it only suits a single-node cluster.
	VolumeContent = "wpcontent"
	contentDir    = contract.ContentDir
	// EdgePort is where the edge listens inside its container: above 1024,
	// so it needs no capability.
	EdgePort = contract.EdgePort
	// DisableWPCron is the wp-config extra that turns page-load cron off on
	// web replicas; the cron service triggers wp-cron.php instead.
	DisableWPCron = "define('DISABLE_WP_CRON', true);"
	// MailboxInContent is a swarm site's mailbox, in its wp-content.
	MailboxInContent = contentDir + "/" + contract.MailboxSubdir
)

// StackOptions say how a site runs on a swarm.
type StackOptions struct {
	Replicas     int    // web replicas (>= 1)
	EndpointMode string // vip or dnsrr (default dnsrr: works without IPVS)
	// Registry is host[:port] every node pulls from; images are renamed
	// under it. Empty keeps the names (a single-node cluster).
	Registry string
	// SharedStorage is a path present on every node (NFS, GlusterFS...)
	// bound at wp-content on all web replicas. Empty: a per-node volume.
	SharedStorage string
	// EdgeImage is the load balancer's image (required).
	EdgeImage string
	// DBNodeLabel is the node label that pins the database to the node
	// holding its volume (default DBNodeLabel(p.Name)).
	DBNodeLabel string
	// UpdateDelay is the pause between batches of a rolling update (default 5s).
	UpdateDelay time.Duration
	// WordPressVersion goes in the manifests of scheduled backups: on a
	// swarm the core lives in the web image, not in a volume they can read.
	WordPressVersion string
	// Edge, for a site with domains, is its domain edge (stackedge.go);
	// nil: the plain balancer on the site's port.
	Edge *StackEdge
}

// TrustedProxiesSwarm are the ranges a swarm web task takes forwarded
// headers from: the private ranges Docker's default address pools carve
// overlay networks from.
const TrustedProxiesSwarm = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"

// DBNodeLabel is the node label whose node runs site's database.
func DBNodeLabel(siteName string) string { return contract.LabelDBNodePrefix + siteName }

// StackImage is ref renamed under registry (ref itself when registry is empty).
func StackImage(registry, ref string) string {
	if registry == "" || strings.HasPrefix(ref, registry+"/") {
		return ref
	}
	return strings.TrimSuffix(registry, "/") + "/" + ref
}

// Stack turns a single-host project from Build into a swarm stack: web
// replicas behind an edge, healthcheck-gated start-first updates that roll
// back by themselves, the database pinned to one node, one cron runner, an
// overlay network and swarm secrets. It does not modify p.
func Stack(p *types.Project, opts StackOptions) (*types.Project, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("stack of %q: %w", p.Name, err)
	}
	web, okWeb := p.Services[site.ServiceWeb]
	db, okDB := p.Services[site.ServiceDB]
	if !okWeb || !okDB {
		return nil, fmt.Errorf("stack of %q: the project needs %s and %s services", p.Name, site.ServiceWeb, site.ServiceDB)
	}
	published := ""
	switch {
	case opts.Edge != nil && len(web.Ports) != 0:
		return nil, fmt.Errorf("stack of %q: web publishes %d ports behind the domain edge, want none", p.Name, len(web.Ports))
	case opts.Edge == nil && len(web.Ports) != 1:
		return nil, fmt.Errorf("stack of %q: web publishes %d ports, want 1", p.Name, len(web.Ports))
	case opts.Edge == nil:
		published = web.Ports[0].Published
	}
	labelKey := opts.DBNodeLabel
	if labelKey == "" {
		labelKey = DBNodeLabel(p.Name)
	}
	mode := opts.EndpointMode
	if mode == "" {
		mode = EndpointDNSRR
	}

	out := &types.Project{
		Name:     p.Name,
		Networks: types.Networks{},
		Volumes:  types.Volumes{},
		Secrets:  types.Secrets{},
		Services: types.Services{},
	}
	for k, n := range p.Networks {
		n.Driver = "overlay"
		n.Labels = copyLabels(n.Labels)
		out.Networks[k] = n
	}
	for k, s := range p.Secrets {
		out.Secrets[k] = s
	}
	if v, ok := p.Volumes[VolumeDB]; ok {
		v.Labels = copyLabels(v.Labels)
		out.Volumes[VolumeDB] = v
	}

	// db: one replica on the node that holds its volume; stop-first, as two
	// MariaDB servers must never share one data directory.
	db = swarmService(db, opts.Registry)
	db.Deploy = &types.DeployConfig{
		Replicas:       intPtr(1),
		Labels:         copyLabels(db.Labels),
		EndpointMode:   mode,
		Placement:      types.Placement{Constraints: []string{"node.labels." + labelKey + " == true"}},
		RestartPolicy:  restartAny(),
		UpdateConfig:   rolling("stop-first", opts.UpdateDelay),
		RollbackConfig: rolling("stop-first", 0),
	}
	out.Services[site.ServiceDB] = db

	// web: N replicas, start-first so a healthy new task serves before an
	// old one stops; a failing healthcheck rolls the update back.
	web = swarmService(web, opts.Registry)
	web.Ports = nil // the edge publishes the site
	web.Hostname = "{{.Node.Hostname}}-web-{{.Task.Slot}}"
	web.Environment = cloneEnv(web.Environment)
	extra := DisableWPCron
	web.Environment[contract.EnvWPConfigExtra] = &extra
	// Web tasks publish no port: every peer that reaches them is on the
	// site's own overlay network, whose subnet comes from the engine's
	// private address pools. Those peers are the edge (and cron), so their
	// X-Forwarded-* headers count; the edge sets X-Forwarded-Proto itself.
	proxies := TrustedProxiesSwarm
	web.Environment[contract.EnvTrustedProxies] = &proxies
	if opts.Edge != nil {
		purge := StackPurgeURL()
		web.Environment[contract.EnvEdgePurge] = &purge
	}
	// PID 1 copies the image's core into the webroot as a task starts; the
	// root filesystem is read-only, so the webroot is a volume of the
	// task's own (anonymous: the engine removes it with the task).
	web.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeVolume, Target: contract.Webroot}, contentMount(opts.SharedStorage)}
	// The mailbox is in wp-content, not a volume of its own: on the shared
	// storage every node's replicas keep their mail in one place, which the
	// data job on the manager reads (`wpstack mail`).
	mailbox := MailboxInContent
	web.Environment[contract.EnvMailboxDir] = &mailbox
	if opts.SharedStorage == "" {
		out.Volumes[VolumeContent] = types.VolumeConfig{Name: p.Name + "_" + VolumeContent, Labels: copyLabels(web.Labels)}
	}
	web.HealthCheck = fastHealth(web.HealthCheck)
	web.Deploy = &types.DeployConfig{
		Replicas:       intPtr(opts.Replicas),
		Labels:         copyLabels(web.Labels),
		EndpointMode:   mode,
		RestartPolicy:  restartAny(),
		UpdateConfig:   rolling("start-first", opts.UpdateDelay),
		RollbackConfig: rolling("start-first", 0),
		Placement:      types.Placement{Preferences: []types.PlacementPreferences{{Spread: "node.id"}}},
	}
	out.Services[site.ServiceWeb] = web

	// cron: the one runner of WordPress's scheduled tasks.
	out.Services[ServiceCron] = cronService(p.Name, web)

	// backup: scheduled backups, on the database's node so its backups
	// volume stays where it was, reading wp-content where web writes it.
	if b, ok := p.Services[site.ServiceBackup]; ok {
		b = swarmService(b, opts.Registry)
		content := contentMount(opts.SharedStorage)
		content.ReadOnly = true
		b.Volumes = []types.ServiceVolumeConfig{content,
			{Type: types.VolumeTypeVolume, Source: VolumeBackups, Target: BackupsTarget}}
		if v, ok := p.Volumes[VolumeBackups]; ok {
			v.Labels = copyLabels(v.Labels)
			out.Volumes[VolumeBackups] = v
		} else {
			out.Volumes[VolumeBackups] = types.VolumeConfig{Name: p.Name + "_" + VolumeBackups, Labels: copyLabels(b.Labels)}
		}
		b.Environment = cloneEnv(b.Environment)
		version := opts.WordPressVersion
		b.Environment[contract.EnvWPVersion] = &version
		b.Deploy = &types.DeployConfig{
			Replicas:      intPtr(1),
			Labels:        copyLabels(b.Labels),
			EndpointMode:  EndpointDNSRR,
			Placement:     types.Placement{Constraints: []string{"node.labels." + labelKey + " == true"}},
			RestartPolicy: restartAny(),
		}
		out.Services[site.ServiceBackup] = b
	}

	// edge: on every node, publishing the site's port on the node itself
	// (host mode needs no routing mesh), balancing over the web tasks.
	if opts.Edge != nil {
		out.Services[ServiceEdge] = domainEdgeService(p.Name, opts, out)
	} else {
		out.Services[ServiceEdge] = edgeService(p.Name, published, opts)
	}
	return out, nil
}

func (o StackOptions) validate() error {
	if o.Replicas < 1 {
		return fmt.Errorf("replicas %d: give at least 1 with --replicas", o.Replicas)
	}
	switch o.EndpointMode {
	case "", EndpointVIP, EndpointDNSRR:
	default:
		return fmt.Errorf("endpoint mode %q: use %s or %s", o.EndpointMode, EndpointVIP, EndpointDNSRR)
	}
	if o.EdgeImage == "" {
		return fmt.Errorf("no edge image")
	}
	if err := o.Edge.validate(); err != nil {
		return err
	}
	if o.SharedStorage != "" && !path.IsAbs(o.SharedStorage) {
		return fmt.Errorf("shared storage %q: give an absolute path present on every node with --shared-storage", o.SharedStorage)
	}
	return nil
}

// swarmService drops what swarm ignores or refuses and renames the image
// under the registry. The hardening of the single-host plan stays: read-only
// root with its tmpfs mounts, the capability set and no-new-privileges
// (the swarm converter maps each to the task's container spec).
func swarmService(s types.ServiceConfig, registry string) types.ServiceConfig {
	s.Restart = ""    // deploy.restart_policy instead
	s.DependsOn = nil // swarm starts services together; web waits for the db itself
	s.SecurityOpt = append([]string(nil), s.SecurityOpt...)
	s.Tmpfs = append(types.StringList(nil), s.Tmpfs...)
	s.CapAdd = append([]string(nil), s.CapAdd...)
	s.CapDrop = append([]string(nil), s.CapDrop...)
	s.Image = StackImage(registry, s.Image)
	s.Labels = copyLabels(s.Labels)
	return s
}

func contentMount(shared string) types.ServiceVolumeConfig {
	if shared != "" {
		return types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: shared, Target: contentDir}
	}
	return types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: VolumeContent, Target: contentDir}
}

func cronService(project string, web types.ServiceConfig) types.ServiceConfig {
	labels := map[string]string{site.LabelSite: project, site.LabelManaged: "true", site.LabelService: ServiceCron}
	vars := map[string]string{
		contract.EnvCronURL:      "http://" + site.ServiceWeb + "/wp-cron.php",
		contract.EnvCronInterval: "60s",
	}
	s := types.ServiceConfig{Name: ServiceCron}
	s.Entrypoint = contract.Command(contract.RoleCron)
	s.User = contract.WebUser
	s.Labels = labels
	s.Environment = env(vars)
	s.Networks = map[string]*types.ServiceNetworkConfig{network: nil}
	lockDown(&s)
	// The image's healthcheck probes Apache, which this task does not run.
	s.HealthCheck = &types.HealthCheckConfig{Disable: true}
	s.Image = web.Image
	s.Deploy = &types.DeployConfig{
		Replicas:      intPtr(1),
		Labels:        copyLabels(labels),
		EndpointMode:  EndpointDNSRR,
		RestartPolicy: restartAny(),
	}
	return s
}

func edgeService(project, published string, opts StackOptions) types.ServiceConfig {
	labels := map[string]string{site.LabelSite: project, site.LabelManaged: "true", site.LabelService: ServiceEdge}
	vars := map[string]string{
		contract.EnvEdgeBackend: "tasks." + site.ServiceWeb,
		// One backend slot per replica the site may ever scale to.
		contract.EnvEdgeSlots: fmt.Sprint(site.MaxReplicas),
	}
	s := types.ServiceConfig{Name: ServiceEdge}
	s.Labels = labels
	s.Environment = env(vars)
	s.Networks = map[string]*types.ServiceNetworkConfig{network: nil}
	lockDown(&s)
	s.Ports = []types.ServicePortConfig{{Target: EdgePort, Published: published, Protocol: "tcp", Mode: "host"}}
	s.Image = StackImage(opts.Registry, opts.EdgeImage)
	s.Deploy = edgeDeploy(labels, opts.UpdateDelay)
	return s
}

// edgeDeploy runs an edge on every node. A host-mode port is held by one
// task per node: the old edge stops (gracefully: it finishes its requests)
// before the new one starts.
func edgeDeploy(labels map[string]string, delay time.Duration) *types.DeployConfig {
	return &types.DeployConfig{
		Mode:          "global",
		Labels:        copyLabels(labels),
		EndpointMode:  EndpointDNSRR,
		RestartPolicy: restartAny(),
		UpdateConfig:  rolling("stop-first", delay),
	}
}

// lockDown hardens a stack-only service that starts as its final user and
// needs no capability at all: nothing to write outside its tmpfs mounts, and
// no privilege gain through setuid binaries.
func lockDown(s *types.ServiceConfig) {
	s.CapDrop = []string{"ALL"}
	s.ReadOnly = true
	s.Tmpfs = types.StringList{"/run", "/tmp"}
	s.SecurityOpt = []string{NoNewPrivileges}
}

// rolling is an update (or rollback) of one task at a time, watched for
// 10s, rolled back on failure.
func rolling(order string, delay time.Duration) *types.UpdateConfig {
	if delay == 0 {
		delay = 5 * time.Second
	}
	one := uint64(1)
	return &types.UpdateConfig{
		Parallelism:   &one,
		Delay:         types.Duration(delay),
		FailureAction: "rollback",
		Monitor:       types.Duration(10 * time.Second),
		Order:         order,
	}
}

func restartAny() *types.RestartPolicy {
	d := types.Duration(0)
	return &types.RestartPolicy{Condition: "any", Delay: &d}
}

// fastHealth keeps the check but probes often, so a rolling update waits
// seconds, not tens of seconds, for a new task to turn healthy.
func fastHealth(h *types.HealthCheckConfig) *types.HealthCheckConfig {
	if h == nil {
		return nil
	}
	c := *h
	interval := types.Duration(2 * time.Second)
	retries := uint64(3)
	c.Interval, c.Retries = &interval, &retries
	return &c
}

func copyLabels(l map[string]string) map[string]string {
	if l == nil {
		return nil
	}
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

func cloneEnv(e types.MappingWithEquals) types.MappingWithEquals {
	out := types.MappingWithEquals{}
	for k, v := range e {
		out[k] = v
	}
	return out
}

func intPtr(i int) *int { return &i }
