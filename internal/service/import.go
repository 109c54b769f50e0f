package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/backup/enginesite"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/importer"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// ImportOptions name the site and what to bring into it: a dump file and a
// wp-content (DB and Files), or an Input already open (adopt).
type ImportOptions struct {
	Name  string
	DB    string
	Files string
	Input *importer.Input
	// URL is the site's old address, if the dump's home option is not it.
	URL string
	// Port or Domains place a new site (default: port 8080).
	Port    int
	Domains []string
	// AdminUser, if set, gets a new generated password (in the site's
	// admin_password file); every other user keeps theirs.
	AdminUser string
	// Yes allows importing into an existing site (after a safety backup).
	Yes            bool
	WpstackVersion string
}

// ImportResult is what `import` prints.
type ImportResult struct {
	Name         string         `json:"name"`
	URL          string         `json:"url"`
	Created      bool           `json:"created"`
	Found        importer.Found `json:"found"`
	SafetyBackup string         `json:"safety_backup,omitempty"`
	RewroteFrom  string         `json:"rewrote_from,omitempty"`
	// AdminUser got the password in AdminPasswordFile (only with --admin-user).
	AdminUser         string        `json:"admin_user,omitempty"`
	AdminPasswordFile string        `json:"admin_password_file,omitempty"`
	Duration          time.Duration `json:"duration_ns"`
}

// ImportDir is where imports are staged before they are applied.
func (s *Service) ImportDir() string { return filepath.Join(s.store.Root, "imports") }

// Import brings a site made elsewhere into wpstack. Both inputs are read
// whole, checked and staged as a wpstack backup before anything changes;
// the staged backup is then restored as `wpstack restore` does (URL
// rewriting, free-space check, a safety backup and rollback for an existing
// site; a new site made for it is removed if the import fails).
func (s *Service) Import(ctx context.Context, opts ImportOptions) (ImportResult, error) {
	start := time.Now()
	res := ImportResult{Name: opts.Name}
	if err := site.ValidateName(opts.Name); err != nil {
		return res, err
	}
	if opts.AdminUser != "" {
		sp := site.Spec{Name: opts.Name, AdminUser: opts.AdminUser}
		sp.ApplyDefaults()
		if err := sp.Validate(); err != nil && strings.Contains(err.Error(), "admin user") {
			return res, err
		}
	}
	in, err := s.importInput(opts)
	if err != nil {
		return res, fmt.Errorf("%w\nnothing was changed", err)
	}
	// One import or restore of a name at a time (see Restore).
	unlockRestore, err := s.store.Lock(ctx, opts.Name+".restore", func() {
		events.Emit(ctx, "site "+opts.Name, events.Info, "waiting for another restore or import into this site to finish")
	})
	if err != nil {
		return res, err
	}
	defer unlockRestore()
	// A site an import was creating when it was killed is not the user's:
	// this run removes it and makes it again.
	marker := s.importMarker(opts.Name)
	if s.importInterrupted(opts.Name) {
		if s.store.Exists(opts.Name) {
			events.Emit(ctx, "site "+opts.Name, events.Info, "an earlier import of this site was interrupted: removing the half-made site to make it again")
			if err := s.Destroy(ctx, DestroyOptions{Name: opts.Name, Yes: true}); err != nil {
				return res, fmt.Errorf("remove the site an interrupted import left: %w", err)
			}
		}
		_ = os.Remove(marker)
	}
	exists := s.store.Exists(opts.Name)
	if exists && !opts.Yes {
		return res, fmt.Errorf("site %q already exists: add --yes to replace its database and wp-content with the import (a safety backup is taken first), or import into a new site name (nothing was changed)", opts.Name)
	}
	if exists && (opts.Port != 0 || len(opts.Domains) > 0) {
		return res, fmt.Errorf("site %q already exists: --port and --domain only apply to a new site; drop them (nothing was changed)", opts.Name)
	}

	staged, found, man, err := s.stageImport(ctx, opts.Name, opts.WpstackVersion, in)
	res.Found = found
	if err != nil {
		return res, fmt.Errorf("%w\nnothing was changed", err)
	}
	defer os.Remove(staged)
	report(ctx, opts.Name, found)

	created := false
	if !s.store.Exists(opts.Name) {
		if err := atomicfile.Write(marker, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
			return res, fmt.Errorf("mark the import as under way: %w", err)
		}
		defer func() {
			// Kept only while a half-made site remains (its removal failed).
			if res.Duration > 0 || !s.store.Exists(opts.Name) {
				_ = os.Remove(marker)
			}
		}()
		spec := site.Spec{Name: opts.Name, Port: opts.Port, Domains: opts.Domains, AdminUser: opts.AdminUser}
		if found.Prefix != site.DefaultPrefix {
			spec.TablePrefix = found.Prefix
		}
		if _, err := s.Up(ctx, UpOptions{Spec: spec}); err != nil {
			if s.store.Exists(opts.Name) {
				_ = s.Destroy(context.WithoutCancel(ctx), DestroyOptions{Name: opts.Name, Yes: true})
			}
			return res, fmt.Errorf("create site %q to import into: %w\nnothing is left of it: run the import again", opts.Name, err)
		}
		created = true
	} else {
		spec, err := s.store.Load(opts.Name)
		if err != nil {
			return res, err
		}
		if spec.Prefix() != found.Prefix {
			return res, fmt.Errorf("site %q uses the table prefix %q and the dump %q: import into a new site name, which takes the dump's prefix (nothing was changed)", opts.Name, spec.Prefix(), found.Prefix)
		}
	}
	res.Created = created
	// Without --admin-user every password is the dump's: restoreInto is
	// told the site has its own users (adopted) so it resets none. With
	// it, a new site was made with that admin user and restoreInto gives
	// it the new site's generated password.
	keepAll := opts.AdminUser == ""
	rr, err := s.restoreInto(ctx, RestoreOptions{Name: opts.Name, File: staged, WpstackVersion: opts.WpstackVersion}, man, created, keepAll)
	res.URL, res.SafetyBackup, res.RewroteFrom = rr.URL, rr.SafetyBackup, rr.RewroteFrom
	if err == nil && opts.AdminUser != "" {
		if created && !rr.AdminReset {
			err = fmt.Errorf("the dump has no user %q: give an existing login with --admin-user, or leave it out to keep every password", opts.AdminUser)
		} else if !created {
			err = s.resetImportedAdmin(ctx, opts.Name, opts.AdminUser)
		}
	}
	if err != nil {
		if created {
			events.Emit(ctx, "site "+opts.Name, events.Warning, "import failed: removing the site just created for it")
			_ = s.Destroy(context.WithoutCancel(ctx), DestroyOptions{Name: opts.Name, Yes: true})
			return res, fmt.Errorf("%w\nthe site made for the import was removed: fix the cause and run the import again", err)
		}
		return res, err
	}
	if opts.AdminUser != "" {
		res.AdminUser = opts.AdminUser
		res.AdminPasswordFile = s.store.SecretPath(opts.Name, state.SecretAdmin)
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (s *Service) importMarker(name string) string {
	return filepath.Join(s.ImportDir(), name+".creating")
}

// importInterrupted says whether an import was creating the site when it
// was stopped (the site, if it exists, is not one to keep).
func (s *Service) importInterrupted(name string) bool {
	_, err := os.Stat(s.importMarker(name))
	return err == nil
}

// importInput opens the dump and wp-content named in opts.
func (s *Service) importInput(opts ImportOptions) (importer.Input, error) {
	if opts.Input != nil {
		in := *opts.Input
		if opts.URL != "" {
			in.URL = opts.URL
		}
		return in, nil
	}
	if opts.DB == "" || opts.Files == "" {
		return importer.Input{}, errors.New("an import needs the database dump (--db dump.sql[.gz|.zst]) and wp-content (--files FOLDER|ARCHIVE)")
	}
	if st, err := os.Stat(opts.DB); err != nil {
		return importer.Input{}, fmt.Errorf("read the dump: %w", err)
	} else if !st.Mode().IsRegular() {
		return importer.Input{}, fmt.Errorf("the dump %s is not a file", opts.DB)
	}
	files, err := importer.OpenFiles(opts.Files)
	if err != nil {
		return importer.Input{}, err
	}
	dbPath := opts.DB
	return importer.Input{
		URL:   opts.URL,
		Files: files,
		Dump: func(ctx context.Context, w io.Writer) error {
			f, err := os.Open(dbPath)
			if err != nil {
				return fmt.Errorf("read the dump: %w", err)
			}
			defer f.Close()
			r, err := importer.Decompress(f)
			if err != nil {
				return err
			}
			defer r.Close()
			if _, err := io.Copy(w, r); err != nil {
				return fmt.Errorf("read %s: %w (is the file complete?)", filepath.Base(dbPath), err)
			}
			return nil
		},
	}, nil
}

// stageImport writes the input as a backup under ImportDir. The caller
// holds the name's restore lock, so partial files of this name are a
// killed run's.
func (s *Service) stageImport(ctx context.Context, name, version string, in importer.Input) (string, importer.Found, backup.Manifest, error) {
	dir := s.ImportDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", importer.Found{}, backup.Manifest{}, fmt.Errorf("create the import folder: %w", err)
	}
	out := filepath.Join(dir, name+backup.Extension)
	removeStalePartials(ctx, dir, filepath.Base(out)+"-")
	_ = os.Remove(out) // a staged file is only kept while its import runs
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "", importer.Found{}, backup.Manifest{}, fmt.Errorf("read free space in %s: %w", dir, err)
	}
	const reserve = 256 << 20
	free := int64(st.Bavail)*int64(st.Bsize) - reserve
	stage := "import " + name
	prog := progress(ctx, stage, time.Now())
	var found importer.Found
	var man backup.Manifest
	_, _, err := backup.WriteFileAtomic(out, func(w io.Writer) error {
		var err error
		found, man, err = importer.Stage(ctx, in, w, importer.StageOptions{
			Site: name, WpstackVersion: version,
			Progress: func(done int64) { prog(done, 0) },
			Limit: func(done int64) error {
				if done > free {
					return fmt.Errorf("the import is larger than the free space in %s (%s): free some space, then run it again", dir, mb(free))
				}
				return nil
			},
		})
		return err
	})
	if err != nil {
		events.Emit(ctx, stage, events.Failed, err.Error())
		return "", found, man, err
	}
	return out, found, man, nil
}

// report says what the import found, before it changes anything.
func report(ctx context.Context, name string, f importer.Found) {
	events.Emit(ctx, "import "+name, events.Done, fmt.Sprintf("found WordPress %s, %d tables (prefix %s, %s), %d posts, %d users, %d uploads (%s), site at %s",
		f.WordPressVersion, f.Tables, f.Prefix, f.Charset, f.Posts, f.Users, f.Uploads, mb(f.UploadsBytes), f.OldURL))
}

// resetImportedAdmin gives user a new password in an existing site and
// keeps it in the site's admin_password file.
func (s *Service) resetImportedAdmin(ctx context.Context, name, user string) error {
	spec, err := s.store.Load(name)
	if err != nil {
		return err
	}
	_, cli, err := s.engine(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	pw, err := state.Password(24)
	if err != nil {
		return err
	}
	ok, err := enginesite.Site{Cli: cli, Spec: spec}.SetPassword(ctx, user, pw)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the imported site has no user %q: the import is done and every user kept the dump's password", user)
	}
	if err := atomicfile.Write(s.store.SecretPath(name, state.SecretAdmin), []byte(pw), 0o600); err != nil {
		return fmt.Errorf("keep the new password of %q: %w", user, err)
	}
	if spec.AdminUser != user {
		spec.AdminUser = user
		if err := s.store.Save(spec); err != nil {
			return err
		}
	}
	return nil
}
