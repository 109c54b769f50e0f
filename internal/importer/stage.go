package importer

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/backup"
)

// Input is a site to bring in: its dump and its wp-content.
type Input struct {
	// Dump writes the plain SQL dump to w.
	Dump func(ctx context.Context, w io.Writer) error
	// Files lists wp-content.
	Files FilesFunc
	// URL, if set, is the site's old address (--url); otherwise it is
	// read from the dump's home (or siteurl) option.
	URL string
}

// errScanStopped ends the dump's reading when the scan stopped first (it
// found the dump bad, and says why).
var errScanStopped = errors.New("the dump's scan stopped reading")

// Found is what a staged import holds.
type Found struct {
	DumpFacts
	WordPressVersion string `json:"wordpress_version"`
	OldURL           string `json:"old_url"`
	Files            int    `json:"files"`
	FileBytes        int64  `json:"file_bytes"`
	Uploads          int    `json:"uploads"`
	UploadsBytes     int64  `json:"uploads_bytes"`
}

// StageOptions tune Stage.
type StageOptions struct {
	Site           string
	WpstackVersion string
	// Progress is called with the bytes staged so far.
	Progress func(done int64)
	// Limit, if set, is called with the bytes staged so far and fails the
	// staging (e.g. when the staging disk would fill up).
	Limit func(done int64) error
}

// Stage writes in to w as a wpstack backup (see package backup) and says
// what it found. Any wp-content entry the backup's sanitizer refuses fails
// the staging: an import brings in all of wp-content or nothing.
func Stage(ctx context.Context, in Input, w io.Writer, opts StageOptions) (Found, backup.Manifest, error) {
	var found Found
	aw, err := backup.NewWriter(w)
	if err != nil {
		return found, backup.Manifest{}, err
	}
	var done int64
	var limitErr error
	aw.Counted = func(n int64) {
		done += n
		if opts.Progress != nil {
			opts.Progress(done)
		}
		if opts.Limit != nil && limitErr == nil {
			limitErr = opts.Limit(done)
		}
	}
	var refused error
	aw.Skipped = func(name, why string) {
		if refused == nil {
			refused = fmt.Errorf("wp-content: %s: refusing the import (remove or fix that entry, then run it again)", why)
		}
	}

	// dump → scan → archive, each step in its own goroutine over pipes so
	// memory stays bounded whatever the dump's size.
	raw, rawW := io.Pipe()
	kept, keptW := io.Pipe()
	dumpErr := make(chan error, 1)
	go func() {
		err := in.Dump(ctx, rawW)
		rawW.CloseWithError(err)
		dumpErr <- err
	}()
	type scanResult struct {
		f   DumpFacts
		err error
	}
	scanned := make(chan scanResult, 1)
	go func() {
		f, err := ScanDump(raw, keptW, backup.MaxStatement)
		raw.CloseWithError(errScanStopped)
		if err != nil {
			keptW.CloseWithError(err)
		} else {
			keptW.Close()
		}
		scanned <- scanResult{f, err}
	}()
	werr := aw.WriteDB(kept)
	kept.CloseWithError(errors.New("the archive stopped reading the dump"))
	sr := <-scanned
	derr := <-dumpErr
	switch {
	case derr != nil && !errors.Is(derr, errScanStopped):
		return found, backup.Manifest{}, fmt.Errorf("read the database dump: %w", derr)
	case sr.err != nil:
		return found, backup.Manifest{}, sr.err
	case werr != nil:
		return found, backup.Manifest{}, werr
	case limitErr != nil:
		return found, backup.Manifest{}, limitErr
	}
	found.DumpFacts = sr.f
	found.WordPressVersion = WordPressVersion(sr.f.DBVersion)
	found.OldURL = strings.TrimRight(in.URL, "/")
	if found.OldURL == "" {
		found.OldURL = strings.TrimRight(sr.f.Home, "/")
	}
	if found.OldURL == "" {
		found.OldURL = strings.TrimRight(sr.f.SiteURL, "/")
	}
	if found.OldURL == "" {
		return found, backup.Manifest{}, fmt.Errorf("the dump's %soptions has neither home nor siteurl: give the site's old address with --url", sr.f.Prefix)
	}
	if !strings.HasPrefix(found.OldURL, "http://") && !strings.HasPrefix(found.OldURL, "https://") {
		return found, backup.Manifest{}, fmt.Errorf("the site's old address %q is not an http(s) URL: give it with --url (e.g. --url https://blog.example.com)", printable(found.OldURL))
	}

	err = in.Files(ctx, func(h *tar.Header, r io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := aw.WriteFile(h, r); err != nil {
			return err
		}
		if refused != nil {
			return refused
		}
		if limitErr != nil {
			return limitErr
		}
		if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA { //nolint:staticcheck // what old tar writers emit
			found.Files++
			found.FileBytes += h.Size
			if strings.HasPrefix(strings.TrimPrefix(h.Name, "./"), "wp-content/uploads/") {
				found.Uploads++
				found.UploadsBytes += h.Size
			}
		}
		return nil
	})
	if err != nil {
		return found, backup.Manifest{}, err
	}
	if found.Files == 0 {
		return found, backup.Manifest{}, errors.New("wp-content holds no file: give the site's wp-content (its themes, plugins and uploads) with --files")
	}
	m := backup.Manifest{WpstackVersion: opts.WpstackVersion, Site: opts.Site, Created: time.Now().UTC(),
		Facts: backup.Facts{WordPressVersion: found.WordPressVersion, DBCharset: sr.f.Charset, DBCollation: sr.f.Collation, Tables: sr.f.Tables, SiteURL: found.OldURL, TablePrefix: sr.f.Prefix}}
	m, err = aw.Close(m)
	return found, m, err
}

// dbVersions maps WordPress's database version to the releases that
// shipped it (several releases share one when the schema did not change).
var dbVersions = []struct {
	db       int
	releases string
}{
	{60421, "6.8"}, {58975, "6.7"}, {57155, "6.5–6.6"}, {56657, "6.4"}, {55853, "6.3"},
	{53496, "6.0–6.2"}, {51917, "5.9"}, {49752, "5.6–5.8"}, {48748, "5.5"}, {47018, "5.4"},
	{45805, "5.3"}, {44719, "5.1–5.2"}, {43764, "5.0"}, {38590, "4.7–4.9"},
}

// WordPressVersion names the release(s) a db_version option comes from.
func WordPressVersion(dbVersion string) string {
	v, err := strconv.Atoi(strings.TrimSpace(dbVersion))
	if err != nil {
		return "unknown"
	}
	for _, d := range dbVersions {
		if v == d.db {
			return d.releases
		}
	}
	for _, d := range dbVersions {
		if v > d.db {
			return "newer than " + d.releases + " (db_version " + strconv.Itoa(v) + ")"
		}
	}
	return "older than 4.7 (db_version " + strconv.Itoa(v) + ")"
}
