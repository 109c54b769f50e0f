package backup

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Target is a site to restore into.
type Target interface {
	// ImportDB replaces the site's database with the SQL read from r,
	// recreating the database with the given charset and collation first.
	ImportDB(ctx context.Context, charset, collation string, r io.Reader) error
	// ImportFiles replaces wp-content with the entries fill writes (names
	// relative to the webroot, already sanitized), extracting them as the
	// service user and swapping the old tree out only once fill has
	// returned nil.
	ImportFiles(ctx context.Context, fill func(tw *tar.Writer) error) error
}

// ApplyOptions tune a restore.
type ApplyOptions struct {
	// Rewrite, if set, filters the SQL on its way to the database (URL
	// rewriting for a site at another address).
	Rewrite func(io.Reader) io.Reader
	// Progress is called with the bytes read from the archive so far.
	Progress func(done int64)
}

// Apply restores an archive already checked by Verify (m is its manifest).
// It reads the archive again; wp-content is swapped in only after the whole
// archive has been read and found to be the one verified. The database is
// imported before that point: a caller restoring into a live site must be
// able to roll back (service.Restore does, from its safety backup).
func Apply(ctx context.Context, r io.Reader, m Manifest, dst Target, opts ApplyOptions) error {
	rd, err := Open(r, &m)
	if err != nil {
		return err
	}
	var done int64
	count := func(n int64) {
		done += n
		if opts.Progress != nil {
			opts.Progress(done)
		}
	}
	h, body, err := rd.Next()
	for err == nil && strings.HasPrefix(h.Name, secretsPrefix) {
		h, body, err = rd.Next() // applied (or not) by the caller, see ReadSecrets
	}
	if err != nil {
		return err
	}
	if !strings.HasPrefix(h.Name, dbPrefix) {
		return invalid("member %q comes before the database dump", printable(h.Name))
	}
	// Database: every db/ chunk, in order, through one pipe into one import.
	pr, pw := io.Pipe()
	impErr := make(chan error, 1)
	go func() {
		var in io.Reader = pr
		if opts.Rewrite != nil {
			in = opts.Rewrite(pr)
		}
		err := dst.ImportDB(ctx, m.DBCharset, m.DBCollation, in)
		pr.CloseWithError(errors.New("the database import stopped reading"))
		impErr <- err
	}()
	for err == nil && strings.HasPrefix(h.Name, dbPrefix) {
		var n int64
		n, err = io.Copy(pw, body)
		count(n)
		if err == nil {
			h, body, err = rd.Next()
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		pw.CloseWithError(err)
		<-impErr
		return err
	}
	pw.Close()
	if ierr := <-impErr; ierr != nil {
		return fmt.Errorf("import the database: %w", ierr)
	}
	if errors.Is(err, io.EOF) {
		return nil // no files member at all: wp-content is left as it is
	}
	san := newSanitizer()
	return dst.ImportFiles(ctx, func(tw *tar.Writer) error {
		for {
			if !strings.HasPrefix(h.Name, filesPrefix) {
				return invalid("member %q comes after wp-content's", printable(h.Name))
			}
			hh := *h
			hh.Name = strings.TrimPrefix(h.Name, filesPrefix)
			out, err := san.header(&hh)
			if err != nil {
				return err
			}
			if err := tw.WriteHeader(out); err != nil {
				return fmt.Errorf("restore %s: %w", printable(out.Name), err)
			}
			if out.Typeflag == tar.TypeReg {
				n, err := io.Copy(tw, body)
				count(n)
				if err != nil {
					return err
				}
			}
			h, body, err = rd.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}

// ReadSecrets returns the secrets of an archive already checked by Verify
// (m is its manifest), each checked against m. It reads only the start of
// the archive, where the secrets are.
func ReadSecrets(r io.Reader, m Manifest) (map[string][]byte, error) {
	out := map[string][]byte{}
	if !m.IncludesSecrets {
		return out, nil
	}
	want := map[string]Member{}
	for _, mb := range m.stats.secrets {
		want[mb.Name] = mb
	}
	rd, err := Open(r, &m)
	if err != nil {
		return nil, err
	}
	for {
		h, body, err := rd.Next() // also hashes the previous member
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(rd.st.secrets) > 0 {
			got := rd.st.secrets[len(rd.st.secrets)-1]
			if want[got.Name] != got {
				return nil, invalid("secret %s differs from the verified manifest (the file changed since it was checked)", printable(got.Name))
			}
		}
		if err != nil || !strings.HasPrefix(h.Name, secretsPrefix) {
			if len(out) != len(m.stats.secrets) {
				return nil, invalid("the archive holds %d of the %d secrets its manifest lists", len(out), len(m.stats.secrets))
			}
			return out, nil
		}
		b, err := io.ReadAll(io.LimitReader(body, maxSecret))
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(h.Name, secretsPrefix)] = b
	}
}
