package service

import (
	"context"
	"fmt"
	"time"

	"github.com/wpstack/wpstack/internal/engine"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/images/wpsource"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// UpOptions: a site name plus the spec fields the user set. Zero values
// mean "keep the site's value, or the default for a new site".
type UpOptions struct {
	Spec site.Spec
}

// UpResult is what `up` prints.
type UpResult struct {
	Name              string        `json:"name"`
	URL               string        `json:"url"`
	AdminUser         string        `json:"admin_user"`
	AdminPasswordFile string        `json:"admin_password_file"`
	WordPressVersion  string        `json:"wordpress_version"`
	WordPressSource   string        `json:"wordpress_source"`
	BaseOrigin        string        `json:"base_origin,omitempty"`
	Created           bool          `json:"created"`
	Duration          time.Duration `json:"duration_ns"`
}

// Up brings a site to running: new or existing, stopped or running,
// interrupted or not. Calling it twice is calling it once.
func (s *Service) Up(ctx context.Context, opts UpOptions) (UpResult, error) {
	start := time.Now()
	want := opts.Spec
	if err := site.ValidateName(want.Name); err != nil {
		return UpResult{}, err
	}
	// Everything that reads or decides on the site's state happens under its
	// lock, so two `up` of one site at once run one after the other.
	unlock, err := s.store.Lock(ctx, want.Name, func() {
		events.Emit(ctx, "site "+want.Name, events.Info, "waiting for another wpstack command on this site to finish")
	})
	if err != nil {
		return UpResult{}, err
	}
	defer unlock()
	spec, created, err := s.mergeSpec(want)
	if err != nil {
		return UpResult{}, err
	}
	if err := s.checkFolders(spec); err != nil {
		return UpResult{}, err
	}
	if _, err := wpsource.ParseSpec(spec.WordPressSource); err != nil {
		return UpResult{}, fmt.Errorf("--wordpress-source: %w", err)
	}
	if spec.Target == site.TargetSwarm {
		return s.upSwarm(ctx, spec, created, start)
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return UpResult{}, err
	}
	defer cli.Close()

	// Refuse a held port before anything is built or written.
	if created || !s.webExists(ctx, eng, spec) {
		if err := eng.CheckPorts(ctx, spec, engine.PortBindings(spec)); err != nil {
			return UpResult{}, err
		}
	}

	set, err := images.Ensure(ctx, cli, images.Options{Source: spec.WordPressSource, CacheDir: s.cacheDir, Binary: s.binary,
		AllInOne: spec.Layout == site.LayoutAllInOne})
	if err != nil {
		return UpResult{}, err
	}
	if err := s.store.Save(spec); err != nil {
		return UpResult{}, err
	}
	if err := s.store.EnsureSecrets(spec.Name); err != nil {
		return UpResult{}, err
	}
	p, err := plan.Build(spec, plan.Inputs{WebImage: set.Web, DBImage: set.DB, AllInOneImage: set.AllInOne, SecretsDir: s.store.SecretsDir(spec.Name)})
	if err != nil {
		return UpResult{}, err
	}
	if err := ensureDataDirs(ctx, spec, eng.IsLocal()); err != nil {
		return UpResult{}, err
	}
	if err := eng.Apply(ctx, spec, p); err != nil {
		return UpResult{}, err
	}
	pw, err := s.store.ReadSecret(spec.Name, state.SecretAdmin)
	if err != nil {
		return UpResult{}, err
	}
	if err := eng.Install(ctx, spec, engine.InstallOptions{AdminPassword: pw}); err != nil {
		return UpResult{}, err
	}
	if err := eng.WaitServing(ctx, spec, 60*time.Second); err != nil {
		return UpResult{}, err
	}
	// The container upgrades an older core in place to the image's; the
	// database schema follows here, as wp-admin would ask an admin to.
	if err := eng.UpgradeDatabase(ctx, spec); err != nil {
		return UpResult{}, err
	}
	version, err := eng.CoreVersion(ctx, spec)
	if err != nil {
		version = set.WordPressVersion
	}
	return UpResult{
		Name:              spec.Name,
		URL:               spec.URL(),
		AdminUser:         spec.AdminUser,
		AdminPasswordFile: s.store.SecretPath(spec.Name, state.SecretAdmin),
		WordPressVersion:  version,
		WordPressSource:   set.SourceDescription,
		BaseOrigin:        set.BaseOrigin,
		Created:           created,
		Duration:          time.Since(start),
	}, nil
}

func (s *Service) webExists(ctx context.Context, eng *engine.Engine, spec site.Spec) bool {
	svcs, err := eng.Services(ctx, spec)
	if err != nil {
		return false
	}
	for _, sv := range svcs {
		if sv.Name == spec.WebService() && sv.Desired > 0 {
			return true
		}
	}
	return false
}

// mergeSpec returns the spec to apply: the stored one for an existing site
// (refusing changes it cannot make yet), else the given one with defaults.
func (s *Service) mergeSpec(want site.Spec) (site.Spec, bool, error) {
	if !s.store.Exists(want.Name) {
		spec := want
		spec.ApplyDefaults()
		if err := spec.Validate(); err != nil {
			return spec, false, err
		}
		return spec, true, nil
	}
	spec, err := s.store.Load(want.Name)
	if err != nil {
		return spec, false, err
	}
	type field struct {
		flag      string
		got, have any
		zero      bool
	}
	for _, f := range []field{
		{"--port", want.Port, spec.Port, want.Port == 0},
		{"--host", want.Host, spec.Host, want.Host == ""},
		{"--bind", want.Bind, spec.Bind, want.Bind == ""},
		{"--layout", want.Layout, spec.Layout, want.Layout == ""},
		{"--data-dir", want.DataDir, spec.DataDir, want.DataDir == ""},
		{"--title", want.Title, spec.Title, want.Title == ""},
		{"--admin-user", want.AdminUser, spec.AdminUser, want.AdminUser == ""},
		{"--admin-email", want.AdminEmail, spec.AdminEmail, want.AdminEmail == ""},
		{"--target", want.Target, spec.Target, want.Target == ""},
		{"--registry", want.Registry, spec.Registry, want.Registry == ""},
		{"--shared-storage", want.SharedStorage, spec.SharedStorage, want.SharedStorage == ""},
	} {
		if !f.zero && f.got != f.have {
			return spec, false, fmt.Errorf("site %q already exists with %s %v; changing it on an existing site is not supported: run `wpstack up %s` without %s, or create a new site", spec.Name, f.flag, f.have, spec.Name, f.flag)
		}
	}
	if want.Replicas != 0 {
		spec.Replicas = want.Replicas // use `wpstack scale` on a running site
	}
	if want.WordPressSource != "" {
		spec.WordPressSource = want.WordPressSource
	}
	spec.ApplyDefaults()
	if err := spec.Validate(); err != nil {
		return spec, false, fmt.Errorf("stored spec of site %q: %w", spec.Name, err)
	}
	return spec, false, nil
}
