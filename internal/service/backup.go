package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/backup/enginesite"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
	"github.com/wpstack/wpstack/internal/target"
)

// BackupDir is where a site's backups go by default. It is outside the
// site's state folder so that `destroy` does not delete them.
func (s *Service) BackupDir(name string) string {
	return filepath.Join(s.store.Root, "backups", name)
}

// BackupOptions name the site and, optionally, the file to write.
type BackupOptions struct {
	Name   string
	Output string // "" = BackupDir(Name)/<name>-<time>.wpbackup
	// WpstackVersion is recorded in the manifest.
	WpstackVersion string
	// IncludeSecrets stores the site's passwords and keys in the archive,
	// in clear, so a restore into a new site can adopt them.
	IncludeSecrets bool
}

// BackupResult is what `backup` prints.
type BackupResult struct {
	Path     string          `json:"path"`
	Size     int64           `json:"size"`
	SHA256   string          `json:"sha256"`
	Duration time.Duration   `json:"duration_ns"`
	Manifest backup.Manifest `json:"manifest"`
}

// Backup writes a consistent backup of a running site to a file.
func (s *Service) Backup(ctx context.Context, opts BackupOptions) (BackupResult, error) {
	if err := s.requireSite(opts.Name); err != nil {
		return BackupResult{}, err
	}
	unlock, err := s.store.Lock(ctx, opts.Name, func() {
		events.Emit(ctx, "site "+opts.Name, events.Info, "waiting for another wpstack command on this site to finish")
	})
	if err != nil {
		return BackupResult{}, err
	}
	defer unlock()
	return s.backupLocked(ctx, opts, "")
}

func (s *Service) backupLocked(ctx context.Context, opts BackupOptions, suffix string) (BackupResult, error) {
	start := time.Now()
	spec, err := s.store.Load(opts.Name)
	if err != nil {
		return BackupResult{}, err
	}
	r, err := s.reach(ctx, spec, false)
	if err != nil {
		return BackupResult{}, err
	}
	defer r.close()
	return s.backupFrom(ctx, opts, suffix, spec, r.data, start)
}

// backupFrom writes the backup of spec's site from src: the caller holds
// the site's lock and has reached the site.
func (s *Service) backupFrom(ctx context.Context, opts BackupOptions, suffix string, spec site.Spec, src enginesite.Site, start time.Time) (BackupResult, error) {
	out := opts.Output
	if out == "" {
		dir := s.BackupDir(spec.Name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return BackupResult{}, fmt.Errorf("create backup folder: %w", err)
		}
		// The site's lock is held: a partial file of this site here is
		// what a killed backup left, never one being written.
		removeStalePartials(ctx, dir, spec.Name+"-")
		out = freeName(filepath.Join(dir, spec.Name+"-"+start.UTC().Format("20060102-150405")+suffix), backup.Extension)
	}
	if opts.Output != "" {
		// Partial files of this very name are a killed backup's (the
		// site's lock is held): the next run clears them.
		removeStalePartials(ctx, filepath.Dir(out), filepath.Base(out)+"-")
	}
	res := "backup " + filepath.Base(out)
	prog := progress(ctx, res, start)
	create := backup.CreateOptions{Site: spec.Name, WpstackVersion: opts.WpstackVersion, Progress: prog,
		Skipped: func(name, why string) {
			events.Emit(ctx, "backup "+spec.Name, events.Warning, "left out "+name+": "+why)
		}}
	if opts.IncludeSecrets {
		create.Secrets = map[string][]byte{}
		for _, k := range state.SecretNames() {
			b, err := os.ReadFile(s.store.SecretPath(spec.Name, k))
			if err != nil {
				return BackupResult{}, fmt.Errorf("read secret %s of site %q: %w", k, spec.Name, err)
			}
			create.Secrets[k] = b
		}
		events.Emit(ctx, res, events.Warning, "this archive holds the site's passwords and keys in clear: keep it as safe as a password")
	}
	var man backup.Manifest
	size, sum, err := backup.WriteFileAtomic(out, func(w io.Writer) error {
		m, err := backup.Create(ctx, src, w, create)
		man = m
		return err
	})
	if err != nil {
		events.Emit(ctx, res, events.Failed, err.Error())
		return BackupResult{}, fmt.Errorf("back up site %q: %w", spec.Name, err)
	}
	events.Emit(ctx, res, events.Done, fmt.Sprintf("%s, %d tables, %d files", mb(size), man.Tables, man.Files()))
	return BackupResult{Path: out, Size: size, SHA256: sum, Duration: time.Since(start), Manifest: man}, nil
}

// freeName is stem+ext, or stem-2+ext, stem-3+ext... when that exists: two
// backups in one second (a restore's safety backup right after a backup)
// both get a file.
func freeName(stem, ext string) string {
	p := stem + ext
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); os.IsNotExist(err) {
			return p
		}
		p = fmt.Sprintf("%s-%d%s", stem, i, ext)
	}
}

// removeStalePartials removes the hidden partial files that killed backups
// of a site left in its backup folder.
func removeStalePartials(ctx context.Context, dir, prefix string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.Type().IsRegular() && backup.IsPartial(e.Name()) && strings.HasPrefix(strings.TrimPrefix(e.Name(), ".partial-"), prefix) {
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				events.Emit(ctx, "backup "+strings.TrimSuffix(prefix, "-"), events.Info, "removed "+e.Name()+", left by an interrupted backup")
			}
		}
	}
}

func requireRunning(ctx context.Context, t target.Target, spec site.Spec) error {
	ts, err := t.Status(ctx, spec)
	if err != nil {
		return err
	}
	if st := ts.State; st != target.Running {
		return fmt.Errorf("site %q is %s: start it with `wpstack up %s` first", spec.Name, st, spec.Name)
	}
	return nil
}

// progress returns a throttled progress reporter drawing a bar as the text
// of Working events.
func progress(ctx context.Context, res string, start time.Time) func(done, total int64) {
	var last time.Time
	return func(done, total int64) {
		if time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		rate := float64(done) / 1e6 / max(time.Since(start).Seconds(), 0.001)
		if total <= 0 || done > total {
			events.Emit(ctx, res, events.Working, fmt.Sprintf("%s  %.1f MB/s", mb(done), rate))
			return
		}
		const width = 24
		fill := int(width * done / total)
		events.Emit(ctx, res, events.Working, fmt.Sprintf("[%s%s] %3d%%  %s / %s  %.1f MB/s",
			strings.Repeat("=", fill), strings.Repeat(" ", width-fill), 100*done/total, mb(done), mb(total), rate))
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// VerifyBackup checks a whole archive without touching any site.
func (s *Service) VerifyBackup(ctx context.Context, path string) (backup.Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return backup.Manifest{}, err
	}
	start := time.Now()
	prog := progress(ctx, "verify "+filepath.Base(path), start)
	var read int64
	m, err := backup.Verify(&ctxReader{ctx: ctx, r: f, n: &read}, func(int64) { prog(read, st.Size()) })
	if err != nil {
		if backup.IsPartial(path) {
			err = fmt.Errorf("%w (its name says it is an interrupted backup)", err)
		}
		return m, fmt.Errorf("%s: %w", path, err)
	}
	events.Emit(ctx, "verify "+filepath.Base(path), events.Done, fmt.Sprintf("%d members, every checksum matches", m.Count()))
	return m, nil
}

// ctxReader stops a long read when the context ends and counts bytes.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	n   *int64
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// BackupEntry is one file in `backup list`.
type BackupEntry struct {
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"time"`
}

// ListBackups lists a site's backups in its backup folder, newest first.
func (s *Service) ListBackups(ctx context.Context, name string) ([]BackupEntry, error) {
	if err := site.ValidateName(name); err != nil {
		return nil, err
	}
	dir := s.BackupDir(name)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", dir, err)
	}
	var out []BackupEntry
	for _, e := range ents {
		if e.IsDir() || backup.IsPartial(e.Name()) || !strings.HasSuffix(e.Name(), backup.Extension) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			out = append(out, BackupEntry{Path: filepath.Join(dir, e.Name()), Size: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ModTime.After(out[j].ModTime) })
	return out, nil
}
