package service

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
	// NewSite, when set, is the spec a new site is created with (its Name
	// is opts.Name); Port is ignored then.
	NewSite *site.Spec
	// Options are WordPress options set once the data is in, before the
	// site is checked to serve (e.g. blog_public=0 on a clone).
	Options map[string]string
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
// archive has passed its check; a restore into an existing site that fails
// after that is rolled back from the safety backup, and a new site made for
// it is removed. The error says which.
func (s *Service) Restore(ctx context.Context, opts RestoreOptions) (RestoreResult, error) {
	start := time.Now()
	if err := site.ValidateName(opts.Name); err != nil {
		return RestoreResult{}, err
	}
	man, err := s.VerifyBackup(ctx, opts.File)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("%w\nnothing was changed", err)
	}
	// Restores of one site name run one at a time from here on, so two
	// restores into the same new name cannot both create it: the second
	// waits and then restores into the site the first made. (The site lock
	// itself is taken and released by Up and restoreInto inside.)
	unlockRestore, err := s.store.Lock(ctx, opts.Name+".restore", func() {
		events.Emit(ctx, "site "+opts.Name, events.Info, "waiting for another restore into this site to finish")
	})
	if err != nil {
		return RestoreResult{}, err
	}
	defer unlockRestore()
	created, adopted := false, false
	isNew, adopted, err := s.prepareNew(ctx, opts, man)
	if err != nil {
		return RestoreResult{}, err
	}
	if isNew {
		spec := site.Spec{Name: opts.Name, Port: opts.Port}
		if opts.NewSite != nil {
			spec = *opts.NewSite
			spec.Name = opts.Name
		}
		// The tables are the archive's: the site must use their prefix.
		spec.TablePrefix = prefixOf(man)
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
	result := RestoreResult{Name: spec.Name, URL: spec.URL(), Created: created, Bytes: man.DataBytes()}
	r, err := s.reach(ctx, spec, true)
	if err != nil {
		return result, err
	}
	defer r.close()
	dst := r.data
	if err := checkSpace(ctx, dst, man); err != nil {
		return result, err
	}
	if !created {
		safety, err := s.backupFrom(ctx, BackupOptions{Name: spec.Name, WpstackVersion: opts.WpstackVersion}, "-before-restore", spec, dst, time.Now())
		if err != nil {
			return result, fmt.Errorf("take the safety backup before restoring (nothing was changed): %w", err)
		}
		result.SafetyBackup = safety.Path
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
	if err := backup.Apply(ctx, f, man, dst, apply); err != nil {
		events.Emit(ctx, res, events.Failed, err.Error())
		if created {
			return result, fmt.Errorf("restore into site %q: %w\nthe site created for it is being removed", spec.Name, err)
		}
		return result, s.rollback(ctx, dst, spec, result.SafetyBackup, fmt.Errorf("restore into site %q: %w", spec.Name, err))
	}
	if created && !adopted {
		// The new site printed its own credentials: make them true for
		// the restored user table too.
		result.AdminReset, err = s.resetAdmin(ctx, dst, spec)
		if err != nil {
			return result, err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Options)) {
		if err := dst.SetOption(ctx, k, opts.Options[k]); err != nil {
			return result, fmt.Errorf("restore into site %q: %w", spec.Name, err)
		}
	}
	// The restored site shows the backup's title, not the spec's.
	serving := spec
	if t, err := dst.Option(ctx, "blogname"); err == nil && t != "" {
		serving.Title = t
	}
	wp := wordpressOf(r.target, serving)
	if serving.HasDomains() {
		// Reached through the edge, over TLS by its name.
		if wp.TLS, err = s.siteTLS(serving); err != nil {
			return result, err
		}
	}
	if err := wp.WaitServing(ctx, 60*time.Second); err != nil {
		return result, err
	}
	// Data from an older WordPress (an import, an old backup) meets this
	// site's core: its schema follows, as wp-admin would ask an admin to.
	if err := wp.UpgradeDatabase(ctx); err != nil {
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

// rollback puts the safety backup back after a restore failed part way
// (the database may already hold part of the new dump), and says in the
// error which way it went.
func (s *Service) rollback(ctx context.Context, dst enginesite.Site, spec site.Spec, safety string, cause error) error {
	ctx = context.WithoutCancel(ctx)
	events.Emit(ctx, "site "+spec.Name, events.Warning, "restore failed: rolling the site back from "+safety)
	redo := fmt.Sprintf("restore it by hand with `wpstack restore %s %s`", spec.Name, safety)
	man, err := s.VerifyBackup(ctx, safety)
	if err == nil {
		var f *os.File
		if f, err = os.Open(safety); err == nil {
			err = backup.Apply(ctx, f, man, dst, backup.ApplyOptions{})
			f.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("%w\nROLLBACK FAILED: putting back the safety backup %s failed too (%v): the site may be empty or half-restored; %s", cause, safety, err, redo)
	}
	events.Emit(ctx, "site "+spec.Name, events.Done, "rolled back: the site is as it was before the restore")
	return fmt.Errorf("%w\nrolled back: the site is as it was before the restore (from the safety backup %s)", cause, safety)
}

// prepareNew decides, under the site's lock, whether the restore creates
// the site, and if so seeds the backup's secrets (a backup made with
// --include-secrets gives the new site the same passwords and keys: same
// logins, and sessions stay valid) before anything else can create it.
func (s *Service) prepareNew(ctx context.Context, opts RestoreOptions, man backup.Manifest) (isNew, adopted bool, err error) {
	unlock, err := s.store.Lock(ctx, opts.Name, func() {
		events.Emit(ctx, "site "+opts.Name, events.Info, "waiting for another wpstack command on this site to finish")
	})
	if err != nil {
		return false, false, err
	}
	defer unlock()
	if s.store.Exists(opts.Name) {
		return false, false, s.checkPrefix(opts.Name, man)
	}
	adopted, err = s.seedSecrets(opts, man)
	return true, adopted, err
}

// prefixOf is the table prefix a new site restored from m needs ("" for
// the default).
func prefixOf(m backup.Manifest) string {
	if m.TablePrefix == site.DefaultPrefix {
		return ""
	}
	return m.TablePrefix
}

// checkPrefix refuses a restore into an existing site whose tables have
// another prefix than the archive's: WordPress would not find them.
func (s *Service) checkPrefix(name string, m backup.Manifest) error {
	spec, err := s.store.Load(name)
	if err != nil {
		return err
	}
	if want := cmp.Or(m.TablePrefix, site.DefaultPrefix); spec.Prefix() != want {
		return fmt.Errorf("site %q uses the table prefix %q and the backup %q: restore it into a new site name, which takes the backup's prefix (nothing was changed)", name, spec.Prefix(), want)
	}
	return nil
}

// seedSecrets writes a backup's secrets as a new site's, before the site is
// created. It reports whether there were any. The caller holds the lock.
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
		return false, fmt.Errorf("adopt the secrets in %s (nothing was changed): %w", opts.File, err)
	}
	return true, nil
}

// checkSpace refuses, before anything changes, a restore the site's disks
// cannot hold: wp-content is unpacked beside the old one before the swap,
// and the database import needs about the dump's size.
func checkSpace(ctx context.Context, dst enginesite.Site, man backup.Manifest) error {
	sp, err := dst.Space(ctx)
	if err != nil {
		return fmt.Errorf("check free space before restoring (nothing was changed): %w", err)
	}
	const slack = 8 << 20
	files, db := man.FileBytes()+man.FileBytes()/20+slack, man.DBBytes()+man.DBBytes()/5+slack
	refuse := func(what string, need, free int64) error {
		return fmt.Errorf("not enough free space to restore into site %q: %s needs about %s, and the disk has %s free; free some space or grow the disk, then run the restore again (nothing was changed)",
			dst.Spec.Name, what, mb(need), mb(free))
	}
	if sp.Shared {
		if need := files + db; need > sp.WebFree {
			return refuse("wp-content and the database (one filesystem)", need, sp.WebFree)
		}
		return nil
	}
	if files > sp.WebFree {
		return refuse("wp-content", files, sp.WebFree)
	}
	if db > sp.DBFree {
		return refuse("the database", db, sp.DBFree)
	}
	return nil
}
