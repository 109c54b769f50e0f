package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/engine"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// SiteStatus is one site in `wpstack status`.
type SiteStatus struct {
	Name              string                 `json:"name"`
	Layout            string                 `json:"layout"`
	Target            string                 `json:"target"`
	URL               string                 `json:"url"`
	State             string                 `json:"state"`
	Services          []engine.ServiceStatus `json:"services"`
	AdminUser         string                 `json:"admin_user"`
	AdminPasswordFile string                 `json:"admin_password_file"`
	WordPressVersion  string                 `json:"wordpress_version"`
	Cluster           *ClusterStatus         `json:"cluster,omitempty"` // swarm sites only
	Backups           *backup.RunStatus      `json:"backups,omitempty"` // sites with a backup schedule
}

// StatusOptions select sites; an empty Name means every site.
type StatusOptions struct {
	Name string
}

// Status reports sites as the engine sees them.
func (s *Service) Status(ctx context.Context, opts StatusOptions) ([]SiteStatus, error) {
	names := []string{opts.Name}
	if opts.Name == "" {
		var err error
		if names, err = s.store.List(); err != nil {
			return nil, err
		}
	} else if err := s.requireSite(opts.Name); err != nil {
		return nil, err
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	out := make([]SiteStatus, 0, len(names))
	for _, n := range names {
		spec, err := s.store.Load(n)
		if err != nil {
			return nil, err
		}
		if spec.Target == site.TargetSwarm {
			st, err := s.swarmStatus(ctx, spec)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
			continue
		}
		svcs, err := eng.Services(ctx, spec)
		if err != nil {
			return nil, err
		}
		st := SiteStatus{
			Name: spec.Name, Layout: spec.Layout, Target: spec.Target, URL: spec.URL(),
			State: engine.Overall(svcs), Services: svcs, AdminUser: spec.AdminUser,
			AdminPasswordFile: s.store.SecretPath(spec.Name, state.SecretAdmin),
		}
		if st.State != "down" {
			if v, err := eng.CoreVersion(ctx, spec); err == nil {
				st.WordPressVersion = v
			}
		}
		st.Backups = s.scheduledStatus(ctx, eng, spec)
		out = append(out, st)
	}
	return out, nil
}

func (s *Service) requireSite(name string) error {
	if err := site.ValidateName(name); err != nil {
		return err
	}
	if !s.store.Exists(name) {
		_, err := s.store.Load(name) // the not-found error, with its hint
		return err
	}
	return nil
}

// LogsOptions select a site's logs.
type LogsOptions struct {
	Name    string
	Service string // "", "web" or "db"
	Follow  bool
	Tail    string
	Out     io.Writer
}

// Logs streams a site's logs.
func (s *Service) Logs(ctx context.Context, opts LogsOptions) error {
	if err := s.requireSite(opts.Name); err != nil {
		return err
	}
	spec, err := s.store.Load(opts.Name)
	if err != nil {
		return err
	}
	if spec.Target == site.TargetSwarm {
		return s.swarmLogs(ctx, spec, opts)
	}
	var services []string
	if opts.Service != "" {
		if !slices.Contains(spec.Services(), opts.Service) {
			return fmt.Errorf("site %q has no service %q: use --service %s", opts.Name, opts.Service, strings.Join(spec.Services(), " or --service "))
		}
		services = []string{opts.Service}
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	tail := opts.Tail
	if tail == "" {
		tail = "all"
	}
	return eng.Logs(ctx, spec, engine.LogsOptions{Services: services, Follow: opts.Follow, Tail: tail, Out: opts.Out})
}

// DownOptions name the site to stop.
type DownOptions struct {
	Name string
}

// Down stops and removes a site's containers and network; data and secrets stay.
func (s *Service) Down(ctx context.Context, opts DownOptions) error {
	if err := s.requireSite(opts.Name); err != nil {
		return err
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	unlock, err := s.store.Lock(ctx, opts.Name, nil)
	if err != nil {
		return err
	}
	defer unlock()
	if spec, err := s.store.Load(opts.Name); err == nil && spec.Target == site.TargetSwarm {
		return s.removeSwarm(ctx, spec, false)
	}
	return eng.Remove(ctx, opts.Name, engine.RemoveOptions{})
}

// ErrNotConfirmed is returned by Destroy without Yes.
var ErrNotConfirmed = errors.New("not confirmed")

// DestroyOptions name the site to delete, with the user's confirmation.
type DestroyOptions struct {
	Name string
	Yes  bool
}

// Destroy removes everything of one site: containers, network, volumes
// (its data), secrets and spec. Nothing of any other site is touched.
func (s *Service) Destroy(ctx context.Context, opts DestroyOptions) error {
	if err := site.ValidateName(opts.Name); err != nil {
		return err
	}
	if !opts.Yes {
		return fmt.Errorf("%w: destroy deletes site %q with its database, uploads and secrets, and cannot be undone; re-run with --yes to confirm", ErrNotConfirmed, opts.Name)
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	known := s.store.Exists(opts.Name)
	res, err := eng.Resources(ctx, opts.Name)
	if err != nil {
		return err
	}
	if !known && len(res) == 0 {
		return s.requireSite(opts.Name)
	}
	unlock, err := s.store.Lock(ctx, opts.Name, nil)
	if err != nil {
		return err
	}
	defer unlock()
	var dataDir string
	swarmSite := false
	if known {
		if spec, err := s.store.Load(opts.Name); err == nil {
			dataDir = spec.DataDir
			if spec.Target == site.TargetSwarm {
				swarmSite = true
				if err := s.removeSwarm(ctx, spec, true); err != nil {
					return err
				}
			}
		}
	}
	if !swarmSite {
		if err := eng.Remove(ctx, opts.Name, engine.RemoveOptions{Volumes: true}); err != nil {
			return err
		}
	}
	if err := s.store.Remove(opts.Name); err != nil {
		return err
	}
	if dataDir != "" {
		// A user's own folder is never deleted by wpstack.
		events.Emit(ctx, "folder "+dataDir, events.Info, fmt.Sprintf("kept: the site's database and files are still there; delete them yourself if you want (its files belong to the container users: sudo rm -rf %s)", dataDir))
	}
	events.Emit(ctx, "site "+opts.Name, events.Done, "destroyed (containers, network, volumes, secrets)")
	return nil
}
