// Package engine is the single-host target: it converges a site's plan onto
// one Docker engine, waits until it is ready, reports status, streams logs,
// runs commands in the site's containers and removes what a site made. It
// implements target.Target.
package engine

import (
	"context"
	"net"
	"os"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// Engine applies plans to one Docker engine.
type Engine struct {
	cli client.APIClient
	// reachHost is where published ports are reached from this process:
	// the engine's host for a tcp:// DOCKER_HOST, else the loopback.
	reachHost string
}

var _ target.Target = (*Engine)(nil)

// Options configure an Engine.
type Options struct {
	// ReachHost overrides the address used to reach published ports.
	ReachHost string
}

// New returns an Engine on an engine connection.
func New(cli client.APIClient, opts Options) *Engine {
	h := opts.ReachHost
	if h == "" {
		h = target.ReachHost(os.Getenv("DOCKER_HOST"), "127.0.0.1")
	}
	return &Engine{cli: cli, reachHost: h}
}

// Kind is site.TargetLocal.
func (e *Engine) Kind() string { return site.TargetLocal }

// Client is the engine connection (the edge shares it).
func (e *Engine) Client() client.APIClient { return e.cli }

// ReachHost is where this process reaches the engine's published ports.
func (e *Engine) ReachHost() string { return e.reachHost }

// Close closes the engine connection.
func (e *Engine) Close() error { return e.cli.Close() }

// IsLocal says whether the engine runs on this machine, where a port can be
// probed with a listen.
func (e *Engine) IsLocal() bool { return e.reachHost == "127.0.0.1" }

// Endpoint is where this process reaches the site's published port.
// A site with domains is reached through the edge's HTTPS port.
func (e *Engine) Endpoint(s site.Spec) string {
	if s.HasDomains() {
		return "https://" + net.JoinHostPort(e.reachHost, strconv.Itoa(s.HTTPSPort))
	}
	return "http://" + net.JoinHostPort(e.reachHost, strconv.Itoa(s.Port))
}

// Check refuses a held port before anything is built or written, unless the
// site's own web container holds it.
// It also refuses a site whose networks no longer fit in wpstack's subnet
// range.
func (e *Engine) Check(ctx context.Context, s site.Spec) error {
	if err := e.CheckPorts(ctx, s, PortBindings(s)); err != nil {
		return err
	}
	return e.checkSubnets(ctx, s)
}

// Build makes the site's images on this engine (built, or found by recipe).
func (e *Engine) Build(ctx context.Context, s site.Spec, opts target.BuildOptions) (target.Images, error) {
	o := opts.Options
	o.AllInOne = s.Layout == site.LayoutAllInOne
	set, err := images.Ensure(ctx, e.cli, o)
	if err != nil {
		return target.Images{}, err
	}
	if opts.WebImage != "" {
		set.Web = opts.WebImage
	}
	return target.Images{Set: set}, nil
}

// Plan is the site's compose model on one engine.
func (e *Engine) Plan(s site.Spec, img target.Images, secretsDir string) (*types.Project, error) {
	return plan.Build(s, plan.Inputs{WebImage: img.Web, DBImage: img.DB, AllInOneImage: img.AllInOne, SecretsDir: secretsDir})
}
