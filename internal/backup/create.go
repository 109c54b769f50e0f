package backup

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// Source is a site to back up: through the Engine API from the host, or
// from inside the site's stack for scheduled backups.
type Source interface {
	// Facts reads the versions, database facts and site URL.
	Facts(ctx context.Context) (Facts, error)
	// Dump writes a consistent SQL dump of the site's database to w.
	Dump(ctx context.Context, w io.Writer) error
	// Files calls fn for every entry under wp-content, names relative to
	// the webroot.
	Files(ctx context.Context, fn func(h *tar.Header, r io.Reader) error) error
}

// CreateOptions describe the backup being made.
type CreateOptions struct {
	Site           string
	WpstackVersion string
	// Progress is called with the bytes written so far and the estimate.
	Progress func(done, total int64)
	// Secrets, when set, are stored in clear (--include-secrets).
	Secrets map[string][]byte
	// Skipped, if set, is told of each wp-content entry left out (see
	// Writer.Skipped).
	Skipped func(name, why string)
}

// Create streams a whole backup of src to w: facts, dump, files, manifest.
func Create(ctx context.Context, src Source, w io.Writer, opts CreateOptions) (Manifest, error) {
	facts, err := src.Facts(ctx)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{WpstackVersion: opts.WpstackVersion, Site: opts.Site, Created: time.Now().UTC(), Facts: facts}
	aw, err := NewWriter(w)
	if err != nil {
		return m, err
	}
	names := slices.Sorted(maps.Keys(opts.Secrets))
	for _, name := range names {
		if err := aw.WriteSecret(name, opts.Secrets[name]); err != nil {
			return m, err
		}
	}
	m.IncludesSecrets = len(names) > 0
	aw.Skipped = opts.Skipped
	var done int64
	aw.Counted = func(n int64) {
		done += n
		if opts.Progress != nil {
			opts.Progress(done, facts.EstimatedBytes)
		}
	}
	// The dump runs in its own goroutine, writing into a pipe the archive
	// reads in chunks: memory stays at one chunk whatever the database size.
	pr, pw := io.Pipe()
	dumpErr := make(chan error, 1)
	go func() {
		err := src.Dump(ctx, pw)
		pw.CloseWithError(err)
		dumpErr <- err
	}()
	werr := aw.WriteDB(pr)
	pr.CloseWithError(fmt.Errorf("archive stopped reading the dump"))
	if derr := <-dumpErr; derr != nil {
		return m, fmt.Errorf("dump the database: %w", derr)
	}
	if werr != nil {
		return m, werr
	}
	if err := src.Files(ctx, aw.WriteFile); err != nil {
		return m, fmt.Errorf("archive wp-content: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return m, err
	}
	return aw.Close(m)
}
