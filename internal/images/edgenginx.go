package images

import "context"

// RoleEdgeNginx is the domain edge of one engine: nginx in front of every
// site with --domain (internal/edge).
const RoleEdgeNginx Role = "edge-nginx"

// EnsureEdgeNginx makes sure the domain edge's image exists (building it
// from its recipe on the base image when missing) and returns its reference.
func EnsureEdgeNginx(ctx context.Context, eng Engine, opts Options) (string, error) {
	return ensureRole(ctx, eng, opts, RoleEdgeNginx)
}
