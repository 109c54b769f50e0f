package backup

import (
	"archive/tar"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// ErrInvalid is wrapped by every error that says the archive itself is bad
// (truncated, corrupted, foreign), as opposed to an I/O failure.
var ErrInvalid = errors.New("not a valid wpstack backup")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Reader reads an archive member by member, hashing each one. With an
// expected manifest (from an earlier Verify), each member is checked as soon
// as it has been read, so a file changed between the two reads is caught
// before the next member is applied.
type Reader struct {
	gz     *gzip.Reader
	tr     *tar.Reader
	expect map[string]Member
	got    []Member
	cur    *tar.Header
	sum    hash.Hash
	n      int64
	body   io.Reader
	done   bool
	man    Manifest
}

// Open checks the archive's header member. expect may be nil.
func Open(r io.Reader, expect *Manifest) (*Reader, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, readErr(err, "it is not gzip-compressed")
	}
	gz.Multistream(false)
	rd := &Reader{gz: gz, tr: tar.NewReader(gz)}
	if expect != nil {
		rd.expect = map[string]Member{}
		for _, m := range expect.Members {
			rd.expect[m.Name] = m
		}
	}
	h, err := rd.tr.Next()
	if err != nil {
		return nil, readErr(err, "it is not a tar archive")
	}
	if h.Name != headerName || h.Size > 4096 {
		return nil, invalid("its first member is %q, not %s", h.Name, headerName)
	}
	var hd header
	if err := json.NewDecoder(io.LimitReader(rd.tr, 4096)).Decode(&hd); err != nil || hd.Format != Format {
		return nil, invalid("its header does not say %q", Format)
	}
	if hd.Version > FormatVersion {
		return nil, fmt.Errorf("backup format version %d is newer than this wpstack understands (%d): use a newer wpstack", hd.Version, FormatVersion)
	}
	return rd, nil
}

// readErr names truncation and corruption in words a user can act on.
func readErr(err error, what string) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("the file is truncated (an interrupted copy or backup?)")
	case errors.Is(err, io.EOF):
		return invalid("the file ends early: %s", what)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, tar.ErrHeader):
		return invalid("the file is corrupted (%v); %s", err, what)
	}
	var ce flate.CorruptInputError
	if errors.As(err, &ce) {
		return invalid("the file is corrupted (%v)", err)
	}
	return fmt.Errorf("read backup: %w", err)
}

// Next returns the next data member (database chunk or wp-content entry)
// and its body. At the manifest it checks every hash and returns io.EOF.
func (r *Reader) Next() (*tar.Header, io.Reader, error) {
	if r.done {
		return nil, nil, io.EOF
	}
	if err := r.finish(); err != nil {
		return nil, nil, err
	}
	h, err := r.tr.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, invalid("the manifest is missing (the file is truncated or was not made by wpstack)")
		}
		return nil, nil, readErr(err, "a member header is damaged")
	}
	if h.Name == manifestName {
		return nil, nil, r.readManifest(h)
	}
	if strings.HasPrefix(h.Name, secretsPrefix) && h.Size > maxSecret {
		return nil, nil, invalid("secret member %q is implausibly large (%d bytes)", h.Name, h.Size)
	}
	if !strings.HasPrefix(h.Name, dbPrefix) && !strings.HasPrefix(h.Name, filesPrefix) && !strings.HasPrefix(h.Name, secretsPrefix) {
		return nil, nil, invalid("unexpected member %q", h.Name)
	}
	if h.Typeflag == tar.TypeReg {
		r.cur, r.sum, r.n = h, sha256.New(), 0
		r.body = io.TeeReader(r.tr, countHash{r})
	} else {
		r.cur, r.body = nil, strings.NewReader("")
	}
	return h, &errReader{r.body}, nil
}

// errReader turns truncation inside a member into the archive error.
type errReader struct{ r io.Reader }

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = readErr(err, "a member is damaged")
	}
	return n, err
}

type countHash struct{ r *Reader }

func (c countHash) Write(p []byte) (int, error) {
	c.r.n += int64(len(p))
	return c.r.sum.Write(p)
}

// finish drains the current member and records (and checks) its hash.
func (r *Reader) finish() error {
	if r.cur == nil {
		return nil
	}
	if _, err := io.Copy(io.Discard, r.body); err != nil {
		return readErr(err, "a member is damaged")
	}
	m := Member{Name: r.cur.Name, Size: r.n, SHA256: hex.EncodeToString(r.sum.Sum(nil))}
	r.cur = nil
	if r.expect != nil {
		want, ok := r.expect[m.Name]
		if !ok || want != m {
			return invalid("member %s differs from the verified manifest (the file changed since it was checked)", m.Name)
		}
	}
	r.got = append(r.got, m)
	return nil
}

func (r *Reader) readManifest(h *tar.Header) error {
	if h.Size > 64<<20 {
		return invalid("the manifest is implausibly large (%d bytes)", h.Size)
	}
	var m Manifest
	if err := json.NewDecoder(r.tr).Decode(&m); err != nil {
		// Deflate checks its CRC only at the end, so a flipped byte can
		// reach the JSON decoder first.
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) {
			return invalid("the manifest is damaged (%v)", err)
		}
		return readErr(err, "the manifest is damaged")
	}
	// The archive must end right after the manifest, and gzip's own CRC is
	// checked when its stream is read to the end.
	if _, err := r.tr.Next(); !errors.Is(err, io.EOF) {
		if err == nil {
			return invalid("members follow the manifest")
		}
		return readErr(err, "the end of the archive is damaged")
	}
	if _, err := io.Copy(io.Discard, r.gz); err != nil {
		return readErr(err, "the end of the archive is damaged")
	}
	if m.Format != Format {
		return invalid("the manifest does not say %q", Format)
	}
	if len(m.Members) != len(r.got) {
		return invalid("the manifest lists %d members, the archive holds %d", len(m.Members), len(r.got))
	}
	for i, want := range m.Members {
		if r.got[i] != want {
			return invalid("member %s is corrupted: its SHA-256 or size differs from the manifest's", want.Name)
		}
	}
	if !hasDB(m) {
		return invalid("it holds no database dump")
	}
	if m.IncludesSecrets != (len(m.Secrets()) > 0) {
		return invalid("the manifest's includes_secrets does not match its members")
	}
	r.man, r.done = m, true
	return io.EOF
}

func hasDB(m Manifest) bool {
	for _, mb := range m.Members {
		if strings.HasPrefix(mb.Name, dbPrefix) {
			return true
		}
	}
	return false
}

// Manifest is the checked manifest, once Next has returned io.EOF.
func (r *Reader) Manifest() Manifest { return r.man }

// Verify reads a whole archive and checks every member against the manifest.
// progress, if set, is called with the bytes of each member as they are read.
func Verify(r io.Reader, progress func(int64)) (Manifest, error) {
	rd, err := Open(r, nil)
	if err != nil {
		return Manifest{}, err
	}
	for {
		_, body, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd.Manifest(), nil
		}
		if err != nil {
			return Manifest{}, err
		}
		n, err := io.Copy(io.Discard, body)
		if err != nil {
			return Manifest{}, err
		}
		if progress != nil {
			progress(n)
		}
	}
}
