package images

import (
	"context"
)

// RoleEdge is the load balancer in front of a swarm site's web replicas.
const RoleEdge Role = "edge"

// EnsureEdge makes sure the edge image exists (building it from its recipe
// on the base image when missing) and returns its reference.
func EnsureEdge(ctx context.Context, eng Engine, opts Options) (string, error) {
	return ensureRole(ctx, eng, opts, RoleEdge)
}

// EdgeRelease is the Debian release both edges are built on, whatever
// the stack of the sites behind them (HAProxy 3.0, nginx 1.26): an edge
// runs no site code, and one engine's edge serves sites of every stack.
const EdgeRelease = Trixie

// ensureRole builds or finds one image of a role without WordPress: an
// edge, on EdgeRelease's base.
func ensureRole(ctx context.Context, eng Engine, opts Options, role Role) (string, error) {
	if err := opts.defaultInit(); err != nil {
		return "", err
	}
	opts.Release, opts.BaseTag = EdgeRelease, ""
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	binSum, err := binarySHA256(opts.Binary)
	if err != nil {
		return "", err
	}
	base, err := Base(ctx, eng, BaseOptions{Release: opts.Release, Tag: opts.BaseTag, Mirror: opts.Mirror})
	if err != nil {
		return "", err
	}
	j := &roleJob{role: role, release: opts.Release}
	if err := j.ensure(ctx, eng, opts.Prefix, base.Ref, opts.Binary, binSum, opts.NoCache); err != nil {
		return "", err
	}
	return j.ref, nil
}
