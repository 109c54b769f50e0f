package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// CloneOptions name the site to copy and the new site: To's Name, and how
// it is reached (Port, or Domains with their TLS settings).
type CloneOptions struct {
	From           string
	To             site.Spec
	WpstackVersion string
}

// CloneResult is what `clone` prints.
type CloneResult struct {
	From     string        `json:"from"`
	Name     string        `json:"name"`
	URL      string        `json:"url"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration_ns"`
}

// cloneOptions are set on every clone: search engines are asked to stay
// away from a copy of a public site.
var cloneOptions = map[string]string{"blog_public": "0"}

// Clone copies a running site into a new one: a backup of From (no
// secrets: the copy makes its own) restored into a new site with its own
// network, volumes and URL, rewritten everywhere. The copy keeps From's
// layout, title and admin user name; it takes none of From's mail relay,
// backup schedule or data folders, so nothing it does reaches From's
// world unless asked.
func (s *Service) Clone(ctx context.Context, opts CloneOptions) (CloneResult, error) {
	start := time.Now()
	to := opts.To.Name
	if err := site.ValidateName(to); err != nil {
		return CloneResult{}, err
	}
	if to == opts.From {
		return CloneResult{}, fmt.Errorf("clone %s into itself: give the copy another name, e.g. `wpstack clone %s %s-staging`", to, to, to)
	}
	if err := s.requireSite(opts.From); err != nil {
		return CloneResult{}, err
	}
	if s.store.Exists(to) {
		return CloneResult{}, fmt.Errorf("site %q already exists: clone into a new name, or `wpstack destroy %s --yes` first", to, to)
	}
	from, err := s.store.Load(opts.From)
	if err != nil {
		return CloneResult{}, err
	}
	spec := site.Spec{
		Name: to, Layout: from.Layout, Title: from.Title, AdminUser: from.AdminUser, AdminEmail: from.AdminEmail,
		WordPressSource: from.WordPressSource,
		Port:            opts.To.Port, Bind: opts.To.Bind, Host: opts.To.Host,
		Domains: opts.To.Domains, TLS: opts.To.TLS, CertFile: opts.To.CertFile, KeyFile: opts.To.KeyFile,
		HTTPPort: opts.To.HTTPPort, HTTPSPort: opts.To.HTTPSPort, Cache: opts.To.Cache,
	}
	if spec.Port == 0 && len(spec.Domains) == 0 {
		return CloneResult{}, fmt.Errorf("say where the copy %q is served: --port N, or --domain NAME", to)
	}
	check := spec
	check.ApplyDefaults()
	if err := check.Validate(); err != nil {
		return CloneResult{}, fmt.Errorf("the copy %q: %w", to, err)
	}
	dir, err := os.MkdirTemp(s.store.Root, ".clone-"+to+"-")
	if err != nil {
		return CloneResult{}, fmt.Errorf("make a work folder for the clone: %w", err)
	}
	defer os.RemoveAll(dir)
	archive := filepath.Join(dir, opts.From+backup.Extension)
	events.Emit(ctx, "clone "+opts.From, events.Working, "backing up "+opts.From)
	if _, err := s.Backup(ctx, BackupOptions{Name: opts.From, Output: archive, WpstackVersion: opts.WpstackVersion}); err != nil {
		return CloneResult{}, fmt.Errorf("clone %s: %w (nothing was made)", opts.From, err)
	}
	res, err := s.Restore(ctx, RestoreOptions{Name: to, File: archive, NewSite: &spec, Options: cloneOptions, WpstackVersion: opts.WpstackVersion})
	if err != nil {
		return CloneResult{}, fmt.Errorf("clone %s into %s: %w", opts.From, to, err)
	}
	events.Emit(ctx, "clone "+to, events.Done, fmt.Sprintf("a copy of %s at %s; search engines are discouraged on it", opts.From, res.URL))
	return CloneResult{From: opts.From, Name: to, URL: res.URL, Bytes: res.Bytes, Duration: time.Since(start)}, nil
}
