// Package engine is the single-host target: it converges a site's plan onto
// one Docker engine, waits until it serves, installs WordPress, reports
// status, streams logs and removes what a site made.
package engine

import (
	"net/url"
	"os"

	"github.com/docker/docker/client"
)

// Engine applies plans to one Docker engine.
type Engine struct {
	cli client.APIClient
	// reachHost is where published ports are reached from this process:
	// the engine's host for a tcp:// DOCKER_HOST, else the loopback.
	reachHost string
}

// Options configure an Engine.
type Options struct {
	// ReachHost overrides the address used to reach published ports.
	ReachHost string
}

// New returns an Engine on an engine connection.
func New(cli client.APIClient, opts Options) *Engine {
	h := opts.ReachHost
	if h == "" {
		h = reachHostFromEnv()
	}
	return &Engine{cli: cli, reachHost: h}
}

func reachHostFromEnv() string {
	if u, err := url.Parse(os.Getenv("DOCKER_HOST")); err == nil && (u.Scheme == "tcp" || u.Scheme == "ssh") && u.Hostname() != "" {
		return u.Hostname()
	}
	return "127.0.0.1"
}

// IsLocal says whether the engine runs on this machine, where a port can be
// probed with a listen.
func (e *Engine) IsLocal() bool { return e.reachHost == "127.0.0.1" }
