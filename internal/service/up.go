package service

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/images/wpsource"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
	"github.com/wpstack/wpstack/internal/target"
	"github.com/wpstack/wpstack/internal/wordpress"
)

// UpOptions: a site name plus the spec fields the user set. Zero values
// mean "keep the site's value, or the default for a new site".
type UpOptions struct {
	Spec site.Spec
	// SMTPPasswordFile is a file holding the password of Spec.SMTP.User;
	// its content becomes the site's smtp_password secret.
	SMTPPasswordFile string
	// SMTPCAFile is the relay's CA certificate (PEM), kept with the site.
	SMTPCAFile string
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
	Stack             string        `json:"stack"`
	UpgradeAvailable  string        `json:"upgrade_available,omitempty"`
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
	if err := mergeStack(&spec, want.Stack, created); err != nil {
		return UpResult{}, err
	}
	if err := s.checkFolders(spec); err != nil {
		return UpResult{}, err
	}
	if err := s.storeSMTPFiles(&spec, opts.SMTPPasswordFile, opts.SMTPCAFile); err != nil {
		return UpResult{}, err
	}
	if spec.HasDomains() {
		// One edge for every site with domains: their ups run one at a time,
		// so no two sites claim one name and the edge's configuration is
		// rendered from a stable set of specs.
		unlockEdge, err := s.store.Lock(ctx, edgeLock, func() {
			events.Emit(ctx, "edge", events.Info, "waiting for another wpstack command on the edge to finish")
		})
		if err != nil {
			return UpResult{}, err
		}
		defer unlockEdge()
		if err := s.checkDomains(spec); err != nil {
			return UpResult{}, err
		}
	}
	if _, err := wpsource.ParseSpec(spec.WordPressSource); err != nil {
		return UpResult{}, fmt.Errorf("--wordpress-source: %w", err)
	}
	t, err := s.open(ctx, spec)
	if err != nil {
		return UpResult{}, err
	}
	defer t.Close()
	// Refuse what the target cannot run before anything is built or written.
	if err := t.Check(ctx, spec); err != nil {
		return UpResult{}, err
	}
	if _, err := s.recoverInterrupted(ctx, t, spec); err != nil {
		return UpResult{}, err
	}
	if err := s.prepareACME(ctx, t, spec); err != nil {
		return UpResult{}, err
	}
	img, err := t.Build(ctx, spec, target.BuildOptions{Options: s.siteImageOptions(spec)})
	if err != nil {
		return UpResult{}, err
	}
	if err := s.store.Save(spec); err != nil {
		return UpResult{}, err
	}
	version, err := s.deploy(ctx, t, spec, img)
	if err != nil {
		return UpResult{}, err
	}
	return UpResult{
		Name:              spec.Name,
		URL:               spec.URL(),
		AdminUser:         spec.AdminUser,
		AdminPasswordFile: s.store.SecretPath(spec.Name, state.SecretAdmin),
		WordPressVersion:  version,
		WordPressSource:   img.SourceDescription,
		BaseOrigin:        img.BaseOrigin,
		Stack:             spec.StackRelease(),
		UpgradeAvailable:  noteUpgrade(ctx, spec),
		Created:           created,
		Duration:          time.Since(start),
	}, nil
}

func (s *Service) imageOptions(source string) images.Options {
	return images.Options{Source: source, CacheDir: s.cacheDir, Binary: s.binary}
}

// deploy converges a site to its plan on t and makes WordPress serve it:
// installed (by wpstack only: the installer wants the site's install key),
// serving its home page, its database upgraded to the running core. It
// returns the core version the site runs.
func (s *Service) deploy(ctx context.Context, t target.Target, spec site.Spec, img target.Images) (string, error) {
	if err := s.store.EnsureSecrets(spec.Name); err != nil {
		return "", err
	}
	if spec.HasDomains() && spec.Target == site.TargetSwarm {
		files, err := s.stackEdgeFiles(ctx, spec)
		if err != nil {
			return "", err
		}
		img.EdgeFiles = files
	}
	p, err := t.Plan(spec, img, s.store.SecretsDir(spec.Name))
	if err != nil {
		return "", err
	}
	applyPlanHook(ctx, p)
	if err := ensureDataDirs(ctx, spec, localEngine()); err != nil {
		return "", err
	}
	if err := t.Deploy(ctx, spec, p); err != nil {
		return "", err
	}
	if spec.HasDomains() {
		if err := s.syncEdge(ctx, t, spec, false); err != nil {
			return "", err
		}
	}
	pw, err := s.store.ReadSecret(spec.Name, state.SecretAdmin)
	if err != nil {
		return "", err
	}
	salts, err := os.ReadFile(s.store.SecretPath(spec.Name, state.SecretWPSalts))
	if err != nil {
		return "", fmt.Errorf("read the salts of site %q: %w", spec.Name, err)
	}
	wp := wordpressOf(t, spec)
	if spec.HasDomains() {
		if wp.TLS, err = s.siteTLS(spec); err != nil {
			return "", err
		}
	}
	if err := wp.Install(ctx, wordpress.InstallOptions{Title: spec.Title, AdminUser: spec.AdminUser, AdminPassword: pw,
		AdminEmail: spec.AdminEmail, Key: wordpress.InstallKey(salts)}); err != nil {
		return "", err
	}
	if err := wp.WaitServing(ctx, 60*time.Second); err != nil {
		return "", err
	}
	// The container upgrades an older core in place to the image's; the
	// database schema follows here, as wp-admin would ask an admin to.
	if err := wp.UpgradeDatabase(ctx); err != nil {
		return "", err
	}
	// The core the webroot holds (newer than the image's after an update
	// in wp-admin), as the target tells it; else the image's.
	if st, err := t.Status(ctx, spec); err == nil && st.WordPressVersion != "" {
		return st.WordPressVersion, nil
	}
	return img.WordPressVersion, nil
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
		{"--domain", strings.Join(want.Domains, " "), strings.Join(spec.Domains, " "), len(want.Domains) == 0},
		{"--tls", want.TLS, spec.TLS, want.TLS == ""},
		{"--acme-directory", want.ACMEDirectory, spec.ACMEDirectory, want.ACMEDirectory == ""},
		{"--http-port", want.HTTPPort, spec.HTTPPort, want.HTTPPort == 0},
		{"--https-port", want.HTTPSPort, spec.HTTPSPort, want.HTTPSPort == 0},
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
	// A renewed certificate may come from new files; HSTS can be turned on.
	if want.CertFile != "" {
		spec.CertFile, spec.KeyFile = want.CertFile, want.KeyFile
	}
	if want.HSTS {
		spec.HSTS = true
	}
	if want.ACMEEmail != "" {
		spec.ACMEEmail = want.ACMEEmail
	}
	if want.Cache != "" && spec.HasDomains() {
		spec.Cache = want.Cache
	}
	if want.LoginRate != "" && spec.HasDomains() {
		spec.LoginRate = want.LoginRate
	}
	if want.CacheSize != "" && spec.HasDomains() {
		spec.CacheSize = want.CacheSize
	}
	if want.WWWRedirect != "" && spec.HasDomains() {
		spec.WWWRedirect = want.WWWRedirect
	}
	mergeRuntime(&spec, want)
	spec.ApplyDefaults()
	if err := spec.Validate(); err != nil {
		return spec, false, fmt.Errorf("stored spec of site %q: %w", spec.Name, err)
	}
	return spec, false, nil
}
