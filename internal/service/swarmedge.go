package service

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
	"github.com/wpstack/wpstack/internal/target"
)

// stackEdgeFiles prepares a swarm site's own edge (a service of its stack,
// not the engine's edge container): its certificate and configuration,
// which the swarm target hands over as secrets.
func (s *Service) stackEdgeFiles(ctx context.Context, spec site.Spec) (*target.EdgeFiles, error) {
	salts, err := os.ReadFile(s.store.SecretPath(spec.Name, state.SecretWPSalts))
	if err != nil {
		return nil, fmt.Errorf("read the salts of site %q for its purge token: %w", spec.Name, err)
	}
	m := &edge.Manager{Root: s.store.Root, Now: time.Now}
	conf, cert, key, err := m.StackFiles(ctx, spec, salts)
	if err != nil {
		return nil, err
	}
	return &target.EdgeFiles{Conf: conf, Cert: cert, Key: key}, nil
}

// portsClash says whether two sites with domains want the same public
// ports, and whether that is an error: sites on one engine share the one
// edge, so they must give the same ports; each swarm site has an edge of
// its own publishing on every node, so two swarm sites must give others.
func portsClash(a, b site.Spec) (bool, string) {
	same := a.HTTPPort == b.HTTPPort && a.HTTPSPort == b.HTTPSPort
	overlap := a.HTTPPort == b.HTTPPort || a.HTTPSPort == b.HTTPSPort || a.HTTPPort == b.HTTPSPort || a.HTTPSPort == b.HTTPPort
	switch {
	case a.Target == site.TargetSwarm && b.Target == site.TargetSwarm:
		if overlap {
			return true, fmt.Sprintf("swarm site %q's own edge publishes HTTP %d and HTTPS %d on every node: give this swarm site other ports with --http-port and --https-port", b.Name, b.HTTPPort, b.HTTPSPort)
		}
	case a.Target != site.TargetSwarm && b.Target != site.TargetSwarm:
		if !same {
			return true, fmt.Sprintf("the edge serves site %q on HTTP %d and HTTPS %d: one edge per engine, so give --http-port %d --https-port %d", b.Name, b.HTTPPort, b.HTTPSPort, b.HTTPPort, b.HTTPSPort)
		}
	}
	return false, ""
}
