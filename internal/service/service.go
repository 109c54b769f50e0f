// Package service is wpstack's verbs: one method and one options struct per
// command. It ties the spec, the images, the plan and the engine together,
// reports progress as events and never prints.
package service

import (
	"context"
	"os"
	"path/filepath"

	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/dockerclient"
	"github.com/wpstack/wpstack/internal/engine"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
	"github.com/wpstack/wpstack/internal/swarm"
	"github.com/wpstack/wpstack/internal/target"
	"github.com/wpstack/wpstack/internal/wordpress"
)

// Service runs the verbs against one state directory and one engine.
type Service struct {
	store    state.Store
	cacheDir string
	binary   string
	connect  func(context.Context) (*client.Client, error)
}

// Options configure a Service.
type Options struct {
	// StateDir holds site specs and secrets (default: state.DefaultRoot).
	StateDir string
	// CacheDir holds WordPress sources (default: the user's cache dir).
	CacheDir string
	// Binary is the static linux wpstack-init put into images as PID 1
	// (default: the one this CLI carries, see internal/initbin).
	Binary string
}

// New returns a Service; the engine is connected lazily, so commands that
// only read state work without one.
func New(opts Options) (*Service, error) {
	root := opts.StateDir
	if root == "" {
		r, err := state.DefaultRoot()
		if err != nil {
			return nil, err
		}
		root = r
	}
	cache := opts.CacheDir
	if cache == "" {
		if v := os.Getenv("XDG_CACHE_HOME"); v != "" {
			cache = filepath.Join(v, "wpstack")
		} else if d, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(d, "wpstack")
		} else {
			cache = filepath.Join(root, "cache")
		}
	}
	return &Service{store: state.Store{Root: root}, cacheDir: cache, binary: opts.Binary, connect: dockerclient.New}, nil
}

// Store exposes the state directory (for tests and the CLI's messages).
func (s *Service) Store() state.Store { return s.store }

// open connects to the engine and returns the site's target: chosen once,
// here, from the spec. Nothing else in the verbs asks which target it is.
func (s *Service) open(ctx context.Context, spec site.Spec) (target.Target, error) {
	cli, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	t, err := targetOn(ctx, cli, spec)
	if err != nil {
		cli.Close()
		return nil, err
	}
	return t, nil
}

// targetOn is the site's target on an open connection; closing the target
// closes the connection.
func targetOn(ctx context.Context, cli *client.Client, spec site.Spec) (target.Target, error) {
	if spec.Target == site.TargetSwarm {
		return swarm.Open(ctx, cli)
	}
	return engine.New(cli, engine.Options{}), nil
}

// wordpress is the site's WordPress as this process reaches it on t.
func wordpressOf(t target.Target, spec site.Spec) wordpress.Site {
	return wordpress.Site{Name: spec.Name, BaseURL: t.Endpoint(spec), Host: spec.HostHeader(), URL: spec.URL(), Title: spec.Title}
}

// localEngine says whether DOCKER_HOST names an engine on this machine,
// where wpstack can make host folders.
func localEngine() bool { return target.ReachHost(os.Getenv("DOCKER_HOST"), "") == "" }

func (s *Service) engine(ctx context.Context) (*engine.Engine, *client.Client, error) {
	cli, err := s.connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	return engine.New(cli, engine.Options{}), cli, nil
}
