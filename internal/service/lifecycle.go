package service

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
	"github.com/wpstack/wpstack/internal/target"
)

// SiteStatus is one site in `wpstack status`.
type SiteStatus struct {
	Name              string                 `json:"name"`
	Layout            string                 `json:"layout"`
	Target            string                 `json:"target"`
	URL               string                 `json:"url"`
	State             string                 `json:"state"`
	Services          []target.ServiceStatus `json:"services"`
	AdminUser         string                 `json:"admin_user"`
	AdminPasswordFile string                 `json:"admin_password_file"`
	WordPressVersion  string                 `json:"wordpress_version"`
	StackStatus
	Cluster *ClusterStatus    `json:"cluster,omitempty"` // swarm sites only
	Backups *backup.RunStatus `json:"backups,omitempty"` // sites with a backup schedule
}

// ClusterStatus is the swarm part of a swarm site's status.
type ClusterStatus struct {
	target.Cluster
	Services []target.ServiceStatus `json:"services"`
}

// StatusOptions select sites; an empty Name means every site.
type StatusOptions struct {
	Name string
}

// Status reports sites as their targets see them.
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
	// One connection for every site, made first: an unreachable engine is
	// an error even when there is no site yet.
	cli, err := s.connect(ctx)
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
		t, err := targetOn(ctx, cli, spec)
		if err != nil {
			return nil, err
		}
		st, err := s.siteStatus(ctx, t, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Service) siteStatus(ctx context.Context, t target.Target, spec site.Spec) (SiteStatus, error) {
	st := SiteStatus{
		Name: spec.Name, Layout: spec.Layout, Target: spec.Target, URL: spec.URL(), AdminUser: spec.AdminUser,
		AdminPasswordFile: s.store.SecretPath(spec.Name, state.SecretAdmin),
	}
	ts, err := t.Status(ctx, spec)
	if err != nil {
		return st, err
	}
	st.State, st.WordPressVersion = ts.State, ts.WordPressVersion
	if ts.Cluster != nil {
		st.Cluster = &ClusterStatus{Cluster: *ts.Cluster, Services: ts.Services}
	} else {
		st.Services = ts.Services
	}
	st.Backups = s.scheduledStatus(ctx, t, spec)
	var refs []string
	for _, sv := range ts.Services {
		refs = append(refs, sv.Image)
	}
	st.StackStatus = s.stackStatus(ctx, spec, refs)
	return st, nil
}

// openSite loads an existing site's spec and opens its target.
func (s *Service) openSite(ctx context.Context, name string) (site.Spec, target.Target, error) {
	if err := s.requireSite(name); err != nil {
		return site.Spec{}, nil, err
	}
	spec, err := s.store.Load(name)
	if err != nil {
		return spec, nil, err
	}
	t, err := s.open(ctx, spec)
	return spec, t, err
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
	Service string // "" = every service
	Follow  bool
	Tail    string
	Out     io.Writer
}

// Logs streams a site's logs.
func (s *Service) Logs(ctx context.Context, opts LogsOptions) error {
	spec, t, err := s.openSite(ctx, opts.Name)
	if err != nil {
		return err
	}
	defer t.Close()
	tail := opts.Tail
	if tail == "" {
		tail = "all"
	}
	lo := target.LogsOptions{Follow: opts.Follow, Tail: tail, Out: opts.Out}
	if opts.Service != "" {
		lo.Services = []string{opts.Service}
	}
	return t.Logs(ctx, spec, lo)
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
	unlock, err := s.store.Lock(ctx, opts.Name, nil)
	if err != nil {
		return err
	}
	defer unlock()
	spec, t, err := s.openSite(ctx, opts.Name)
	if err != nil {
		return err
	}
	defer t.Close()
	if err := s.leaveEdge(ctx, t, spec); err != nil {
		return err
	}
	return t.Remove(ctx, spec, target.RemoveOptions{})
}

// ErrNotConfirmed is returned by Destroy without Yes.
var ErrNotConfirmed = errors.New("not confirmed")

// DestroyOptions name the site to delete, with the user's confirmation.
type DestroyOptions struct {
	Name string
	Yes  bool
}

// Destroy removes everything of one site: containers, network, volumes
// (its data), secrets and spec. Nothing of any other site is touched. A site
// whose spec is gone but whose resources an interrupted command left on the
// engine is removed too.
func (s *Service) Destroy(ctx context.Context, opts DestroyOptions) error {
	if err := site.ValidateName(opts.Name); err != nil {
		return err
	}
	if !opts.Yes {
		return fmt.Errorf("%w: destroy deletes site %q with its database, uploads and secrets, and cannot be undone; re-run with --yes to confirm", ErrNotConfirmed, opts.Name)
	}
	known := s.store.Exists(opts.Name)
	spec := site.Spec{Name: opts.Name, Target: site.TargetLocal}
	if known {
		// A spec that no longer loads is removed as a local site's.
		if loaded, err := s.store.Load(opts.Name); err == nil {
			spec = loaded
		}
	}
	t, err := s.open(ctx, spec)
	if err != nil {
		return err
	}
	defer t.Close()
	if !known {
		res, err := t.Resources(ctx, spec)
		if err != nil {
			return err
		}
		if len(res) == 0 {
			return s.requireSite(opts.Name)
		}
	}
	unlock, err := s.store.Lock(ctx, opts.Name, nil)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.leaveEdge(ctx, t, spec); err != nil {
		return err
	}
	if err := t.Remove(ctx, spec, target.RemoveOptions{Volumes: true}); err != nil {
		return err
	}
	if err := s.store.Remove(opts.Name); err != nil {
		return err
	}
	if spec.DataDir != "" {
		// A user's own folder is never deleted by wpstack.
		events.Emit(ctx, "folder "+spec.DataDir, events.Info, fmt.Sprintf("kept: the site's database and files are still there; delete them yourself if you want (its files belong to the container users: sudo rm -rf %s)", spec.DataDir))
	}
	events.Emit(ctx, "site "+opts.Name, events.Done, "destroyed (containers, network, volumes, secrets)")
	return nil
}
