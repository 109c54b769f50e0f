package service

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/backup/enginesite"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// RestoreOptions name the site to restore into and the archive. A site that
// does not exist yet is created first, with Port (and the defaults).
type RestoreOptions struct {
	Name           string
	File           string
	Port           int
	WpstackVersion string
}

// RestoreResult is what `restore` prints.
type RestoreResult struct {
	Name         string `json:"name"`
	URL          string `json:"url"`
	Created      bool   `json:"created"`
	SafetyBackup string `json:"safety_backup,omitempty"`
	RewroteFrom  string `json:"rewrote_from,omitempty"`
	// AdminReset: the new site's admin user got the password in its
	// admin_password file (false when the backup has no such user).
	AdminReset bool `json:"admin_reset,omitempty"`
	// AdoptedSecrets: the new site took the backup's passwords and keys.
	AdoptedSecrets bool          `json:"adopted_secrets,omitempty"`
	Bytes          int64         `json:"bytes"`
	Duration       time.Duration `json:"duration_ns"`
}

// Restore checks the whole archive, then restores it into an existing site
// (after a safety backup) or into a new one. Nothing changes before the
// archive has passed its check.
func (s *Service) Restore(ctx context.Context, opts RestoreOptions) (RestoreResult, error) {
	start := time.Now()
	if err := site.ValidateName(opts.Name); err != nil {
		return RestoreResult{}, err
	}
	man, err := s.VerifyBackup(ctx, opts.File)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("%w\nnothing was changed", err)
	}
	created, adopted := false, false
	if !s.store.Exists(opts.Name) {
		// A backup made with --include-secrets gives the new site the same
		// passwords and keys: same logins, and sessions stay valid.
		adopted, err = s.seedSecrets(opts, man)
		if err != nil {
			return RestoreResult{}, err
		}
		spec := site.Spec{Name: opts.Name, Port: opts.Port}
		if _, err := s.Up(ctx, UpOptions{Spec: spec}); err != nil {
			return RestoreResult{}, fmt.Errorf("create site %q to restore into: %w", opts.Name, err)
		}
		created = true
	} else if opts.Port != 0 {
		if spec, err := s.store.Load(opts.Name); err == nil && spec.Port != opts.Port {
			return RestoreResult{}, fmt.Errorf("site %q already exists on port %d; --port only applies to a new site: drop --port, or restore into a new site name", opts.Name, spec.Port)
		}
	}
	if man.IncludesSecrets && !created {
		events.Emit(ctx, "site "+opts.Name, events.Info, "the backup's secrets are not applied to an existing site: it keeps its own (restore into a new site name to adopt them)")
	}
	res, err := s.restoreInto(ctx, opts, man, created, adopted)
	res.AdoptedSecrets = adopted
	if err != nil && created {
		// A new site that never got its data is not worth keeping half-made.
		events.Emit(ctx, "site "+opts.Name, events.Warning, "restore failed: removing the site just created for it")
		_ = s.Destroy(context.WithoutCancel(ctx), DestroyOptions{Name: opts.Name, Yes: true})
	}
	res.Duration = time.Since(start)
	return res, err
}

func (s *Service) restoreInto(ctx context.Context, opts RestoreOptions, man backup.Manifest, created, adopted bool) (RestoreResult, error) {
	unlock, err := s.store.Lock(ctx, opts.Name, func() {
		events.Emit(ctx, "site "+opts.Name, events.Info, "waiting for another wpstack command on this site to finish")
	})
	if err != nil {
		return RestoreResult{}, err
	}
	defer unlock()
	spec, err := s.store.Load(opts.Name)
	if err != nil {
		return RestoreResult{}, err
	}
	if spec.Target == site.TargetSwarm {
		return RestoreResult{}, fmt.Errorf("site %q runs on a swarm: restoring swarm sites is not supported yet", spec.Name)
	}
	result := RestoreResult{Name: spec.Name, URL: spec.URL(), Created: created, Bytes: man.DataBytes()}
	if !created {
		safety, err := s.backupLocked(ctx, BackupOptions{Name: spec.Name, WpstackVersion: opts.WpstackVersion}, "-before-restore")
		if err != nil {
			return result, fmt.Errorf("take the safety backup before restoring (nothing was changed): %w", err)
		}
		result.SafetyBackup = safety.Path
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return result, err
	}
	defer cli.Close()
	if err := requireRunning(ctx, eng, spec); err != nil {
		return result, err
	}
	var apply backup.ApplyOptions
	if from, to := strings.TrimRight(man.SiteURL, "/"), strings.TrimRight(spec.URL(), "/"); from != "" && from != to {
		rp := backup.NewReplacer(from, to)
		apply.Rewrite = func(r io.Reader) io.Reader { return backup.RewriteSQL(r, rp) }
		result.RewroteFrom = from
		events.Emit(ctx, "site "+spec.Name, events.Info, fmt.Sprintf("rewriting %s to %s in the database", from, to))
	}
	f, err := os.Open(opts.File)
	if err != nil {
		return result, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	res := "restore " + filepath.Base(opts.File)
	prog := progress(ctx, res, time.Now())
	total := man.DataBytes()
	apply.Progress = func(done int64) { prog(done, total) }
	dst := enginesite.Site{Cli: cli, Spec: spec}
	if err := backup.Apply(ctx, f, man, dst, apply); err != nil {
		events.Emit(ctx, res, events.Failed, err.Error())
		hint := ""
		if result.SafetyBackup != "" {
			hint = fmt.Sprintf("; the site as it was is in %s (wpstack restore %s %s)", result.SafetyBackup, spec.Name, result.SafetyBackup)
		}
		return result, fmt.Errorf("restore into site %q: %w%s", spec.Name, err, hint)
	}
	if created && !adopted {
		// The new site printed its own credentials: make them true for
		// the restored user table too.
		result.AdminReset, err = s.resetAdmin(ctx, dst, spec)
		if err != nil {
			return result, err
		}
	}
	// The restored site shows the backup's title, not the spec's.
	serving := spec
	if t, err := dst.Option(ctx, "blogname"); err == nil && t != "" {
		serving.Title = t
	}
	if err := wordpressOf(eng, serving).WaitServing(ctx, 60*time.Second); err != nil {
		return result, err
	}
	events.Emit(ctx, res, events.Done, fmt.Sprintf("%s restored, %d tables, %d files", mb(total), man.Tables, man.Files()))
	return result, nil
}

// resetAdmin sets the new site's admin password in the restored database.
func (s *Service) resetAdmin(ctx context.Context, dst enginesite.Site, spec site.Spec) (bool, error) {
	pw, err := s.store.ReadSecret(spec.Name, state.SecretAdmin)
	if err != nil {
		return false, err
	}
	ok, err := dst.SetPassword(ctx, spec.AdminUser, pw)
	if err != nil {
		return false, err
	}
	if !ok {
		events.Emit(ctx, "site "+spec.Name, events.Warning, fmt.Sprintf("the backup has no user %q: log in with the accounts of the backed-up site", spec.AdminUser))
	}
	return ok, nil
}

// seedSecrets writes a backup's secrets as a new site's, before the site is
// created. It reports whether there were any.
func (s *Service) seedSecrets(opts RestoreOptions, man backup.Manifest) (bool, error) {
	if !man.IncludesSecrets {
		return false, nil
	}
	f, err := os.Open(opts.File)
	if err != nil {
		return false, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	vals, err := backup.ReadSecrets(f, man)
	if err != nil {
		return false, fmt.Errorf("read the secrets in %s (nothing was changed): %w", opts.File, err)
	}
	if err := s.store.SeedSecrets(opts.Name, vals); err != nil {
		_ = s.store.Remove(opts.Name)
		return false, err
	}
	return true, nil
}
