package plan

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// NetworkEdge is the compose key of the network a site with domains shares
// with the engine's edge: its web container and the edge only, internal (no
// way out through it), so the database is never on it and site A's web
// never reaches site B's.
const NetworkEdge = "edge"

// EnvTrustedProxies is the web image's list of proxies whose X-Forwarded-*
// headers count (the contract's name).
const EnvTrustedProxies = contract.EnvTrustedProxies

// addEdge puts the web service of a site with domains behind the edge: no
// port of its own, a second network for the edge.
func addEdge(spec site.Spec, p *types.Project) {
	if !spec.HasDomains() {
		return
	}
	labels := spec.Labels("")
	p.Networks[NetworkEdge] = types.NetworkConfig{Name: spec.EdgeNetworkName(), Labels: labels, Internal: true}
	web := p.Services[site.ServiceWeb]
	web.Ports = nil
	web.Networks[NetworkEdge] = nil
	// The purge plugin asks the edge on this network to drop changed pages.
	purge := fmt.Sprintf("http://%s:%d", contract.EdgeContainer, contract.EdgePurgePort)
	web.Environment[contract.EnvEdgePurge] = &purge
	p.Services[site.ServiceWeb] = web
}

// TrustEdge makes the web service trust forwarded headers from the edge
// network's subnet alone: the edge sets them itself, replacing a client's.
// The subnet is known once the engine has made the network.
func TrustEdge(p *types.Project, subnet string) {
	web, ok := p.Services[site.ServiceWeb]
	if !ok {
		return
	}
	v := subnet
	web.Environment[EnvTrustedProxies] = &v
	p.Services[site.ServiceWeb] = web
}
