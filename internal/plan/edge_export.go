package plan

import (
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// Keys of what an export adds for a site with domains: the edge service and
// the network it publishes through.
const (
	ServiceDomainEdge = "edge"
	NetworkEdgePublic = "edge_public"
)

// ExportEdgeOptions describe the edge an export of a site with domains
// carries: the same nginx image and configuration as wpstack's edge, for
// this one site.
type ExportEdgeOptions struct {
	Image string
	// ConfDir is the host folder mounted read-only where the image reads
	// its configuration: nginx.conf and the site's certificate and key.
	ConfDir string
	// ConfTarget is that folder inside the container.
	ConfTarget string
	// User runs nginx ("": the image's user, who owns ConfDir).
	User string
	// ListenHTTP and ListenHTTPS are nginx's ports inside the container.
	ListenHTTP, ListenHTTPS int
	// CacheDir is the cache's tmpfs inside the container.
	CacheDir string
}

// AddExportEdge puts an edge service in front of the web service of a site
// with domains, as wpstack's edge serves it: on the site's internal edge
// network (named as the web's purge plugin expects) and a network of its
// own that publishes the site's --http-port and --https-port. The database
// is never on either. The web service trusts forwarded headers from the
// private address pools: it publishes no port, so its only peers are the
// edge and the database.
func AddExportEdge(spec site.Spec, p *types.Project, o ExportEdgeOptions) error {
	if !spec.HasDomains() {
		return nil
	}
	if _, ok := p.Networks[NetworkEdge]; !ok {
		return fmt.Errorf("export the edge of %q: the plan has no edge network", spec.Name)
	}
	p.Networks[NetworkEdgePublic] = types.NetworkConfig{Name: spec.Name + "_edge_public", Labels: spec.Labels("")}
	s := types.ServiceConfig{Name: ServiceDomainEdge, Restart: types.RestartPolicyUnlessStopped}
	s.Image = o.Image
	s.User = o.User
	s.Labels = spec.Labels(ServiceDomainEdge)
	s.ReadOnly = true
	s.Tmpfs = types.StringList{"/tmp:size=192m", o.CacheDir}
	s.CapDrop = []string{"ALL"}
	s.SecurityOpt = []string{NoNewPrivileges}
	s.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeBind, Source: o.ConfDir, Target: o.ConfTarget, ReadOnly: true}}
	s.Ports = []types.ServicePortConfig{
		{Target: uint32(o.ListenHTTP), Published: fmt.Sprint(spec.HTTPPort), Protocol: "tcp"},
		{Target: uint32(o.ListenHTTPS), Published: fmt.Sprint(spec.HTTPSPort), Protocol: "tcp"},
	}
	s.Networks = map[string]*types.ServiceNetworkConfig{
		NetworkEdge:       {Aliases: []string{contract.EdgeContainer}},
		NetworkEdgePublic: nil,
	}
	s.DependsOn = types.DependsOnConfig{site.ServiceWeb: {Condition: types.ServiceConditionStarted, Required: true}}
	grace := types.Duration(30 * time.Second)
	s.StopGracePeriod = &grace
	p.Services[ServiceDomainEdge] = s
	TrustEdge(p, TrustedProxiesSwarm)
	return nil
}
