package backup

import (
	"archive/tar"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// ErrInvalid is wrapped by every error that says the archive itself is bad
// (truncated, corrupted, foreign, or holding what a restore must not write),
// as opposed to an I/O failure.
var ErrInvalid = errors.New("not a valid wpstack backup")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Reader reads an archive member by member, hashing each one and folding it
// into a digest of the member list, so checking it against the manifest at
// the end needs no memory per member. With an expected manifest (from an
// earlier Verify), the end also checks that the archive is the one verified:
// a caller applies what it reads only once Next has returned io.EOF.
type Reader struct {
	gz      *gzip.Reader
	tr      *tar.Reader
	version int
	expect  *Manifest
	got     digester
	st      stats
	cur     *tar.Header
	sum     hash.Hash
	n       int64
	body    io.Reader
	done    bool
	man     Manifest
}

// Open checks the archive's header member. expect may be nil.
func Open(r io.Reader, expect *Manifest) (*Reader, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, readErr(err, "it is not gzip-compressed")
	}
	gz.Multistream(false)
	rd := &Reader{gz: gz, tr: tar.NewReader(gz), expect: expect, got: newDigester()}
	h, err := rd.tr.Next()
	if err != nil {
		return nil, readErr(err, "it is not a tar archive")
	}
	if h.Name != headerName || h.Size > 4096 || h.Typeflag != tar.TypeReg {
		return nil, invalid("its first member is %q, not %s", printable(h.Name), headerName)
	}
	var hd header
	if err := json.NewDecoder(io.LimitReader(rd.tr, 4096)).Decode(&hd); err != nil || hd.Format != Format {
		return nil, invalid("its header does not say %q", Format)
	}
	if hd.Version > FormatVersion {
		return nil, fmt.Errorf("backup format version %d is newer than this wpstack understands (%d): use a newer wpstack", hd.Version, FormatVersion)
	}
	if hd.Version < 1 {
		return nil, invalid("its header has format version %d", hd.Version)
	}
	rd.version = hd.Version
	return rd, nil
}

// readErr names truncation and corruption in words a user can act on.
func readErr(err error, what string) error {
	switch {
	case errors.Is(err, ErrInvalid):
		return err
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

// Next returns the next data member (secret, database chunk or wp-content
// entry) and its body. At the manifest it checks every member and returns
// io.EOF. Only regular files, folders and symlinks get through, each
// within its size cap.
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
	if h.Name == manifestName && h.Typeflag == tar.TypeReg {
		return nil, nil, r.readManifest(h)
	}
	if err := r.check(h); err != nil {
		return nil, nil, err
	}
	switch h.Typeflag {
	case tar.TypeReg:
		r.cur, r.sum, r.n = h, sha256.New(), 0
		r.body = io.TeeReader(r.tr, countHash{r})
		return h, &errReader{r.body}, nil
	case tar.TypeSymlink:
		sum := sha256.Sum256([]byte(h.Linkname))
		r.add(Member{Name: h.Name, Type: TypeSymlink, Size: int64(len(h.Linkname)), SHA256: hex.EncodeToString(sum[:])})
	default: // a folder; version 1 did not list them
		if r.version >= 2 {
			r.add(Member{Name: h.Name, Type: TypeDir, SHA256: emptySHA256})
		}
	}
	return h, strings.NewReader(""), nil
}

// emptySHA256 is what the manifest records for a folder.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// check refuses a member by its header alone: an unknown place or type, or
// a size over its cap.
func (r *Reader) check(h *tar.Header) error {
	name := printable(h.Name)
	var limit int64
	switch {
	case strings.HasPrefix(h.Name, secretsPrefix):
		limit = maxSecret
		if !safeIdent(strings.TrimPrefix(h.Name, secretsPrefix)) {
			return invalid("secret member %q has an invalid name", name)
		}
		if len(r.st.secrets) >= maxSecrets {
			return invalid("more than %d secret members", maxSecrets)
		}
	case strings.HasPrefix(h.Name, dbPrefix):
		limit = ChunkSize
	case strings.HasPrefix(h.Name, filesPrefix):
		limit = MaxFileSize
	default:
		return invalid("unexpected member %q", name)
	}
	switch h.Typeflag {
	case tar.TypeReg:
		if h.Size < 0 || h.Size > limit {
			return invalid("member %q is implausibly large (%d bytes; at most %d)", name, h.Size, limit)
		}
		return nil
	case tar.TypeDir, tar.TypeSymlink:
		if !strings.HasPrefix(h.Name, filesPrefix) {
			return invalid("member %q is a %s, where only a regular file belongs", name, typeName(h.Typeflag))
		}
		if h.Typeflag == tar.TypeSymlink {
			if r.version < 2 {
				return invalid("symlink %q is not covered by the manifest of this older (version %d) backup: make the backup again with this wpstack", name, r.version)
			}
			if h.Linkname == "" || len(h.Linkname) > maxLink {
				return invalid("symlink %q has an empty or oversized target", name)
			}
		}
		return nil
	}
	return invalid("member %q is a %s: a backup holds only files, folders and symlinks", name, typeName(h.Typeflag))
}

func typeName(t byte) string {
	switch t {
	case tar.TypeReg:
		return "regular file"
	case tar.TypeDir:
		return "folder"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	case tar.TypeXGlobalHeader:
		return "global PAX header"
	}
	return fmt.Sprintf("member of tar type %q", printable(string(t)))
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

// finish drains the current member and records its hash.
func (r *Reader) finish() error {
	if r.cur == nil {
		return nil
	}
	if _, err := io.Copy(io.Discard, r.body); err != nil {
		return readErr(err, "a member is damaged")
	}
	r.add(Member{Name: r.cur.Name, Type: TypeFile, Size: r.n, SHA256: hex.EncodeToString(r.sum.Sum(nil))})
	r.cur = nil
	return nil
}

func (r *Reader) add(m Member) {
	r.got.add(m)
	r.st.add(m)
}

func (r *Reader) readManifest(h *tar.Header) error {
	listed := newDigester()
	var st stats
	m, err := decodeManifest(r.tr, func(mb Member) error {
		if t := mb.typ(); t != TypeFile && t != TypeDir && t != TypeSymlink {
			return invalid("the manifest lists member %q of unknown type %q", printable(mb.Name), printable(mb.Type))
		}
		if strings.HasPrefix(mb.Name, secretsPrefix) && len(st.secrets) >= maxSecrets {
			return invalid("the manifest lists more than %d secrets", maxSecrets)
		}
		listed.add(mb)
		st.add(mb)
		return nil
	})
	if err != nil {
		return err
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
	if st.count != r.st.count {
		return invalid("the manifest lists %d members, the archive holds %d (a member not in the manifest, or one missing)", st.count, r.st.count)
	}
	st.digest, r.st.digest = listed.sum(), r.got.sum()
	if st.digest != r.st.digest {
		return invalid("the members differ from the manifest: a SHA-256, size, type or name does not match (a corrupted or altered file)")
	}
	if r.expect != nil && r.expect.stats.digest != st.digest {
		return invalid("the archive differs from the verified one (the file changed since it was checked)")
	}
	if !st.db {
		return invalid("it holds no database dump")
	}
	if m.IncludesSecrets != (len(st.secrets) > 0) {
		return invalid("the manifest's includes_secrets does not match its members")
	}
	m.stats = st
	r.man, r.done = m, true
	return io.EOF
}

// Manifest is the checked manifest, once Next has returned io.EOF.
func (r *Reader) Manifest() Manifest { return r.man }

// digester folds a member list into one SHA-256, each field length-prefixed
// so no two lists share a digest.
type digester struct{ h hash.Hash }

func newDigester() digester { return digester{sha256.New()} }

func (d digester) add(m Member) {
	for _, f := range []string{m.Name, m.typ(), m.SHA256} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		d.h.Write(n[:])
		d.h.Write([]byte(f))
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(m.Size))
	d.h.Write(n[:])
}

func (d digester) sum() string { return hex.EncodeToString(d.h.Sum(nil)) }

// Verify reads a whole archive and checks every member against the manifest.
// progress, if set, is called with the bytes of each member as they are read.
// Memory stays bounded whatever the number or size of the members. The
// wp-content members also go through the checks a restore makes (see
// sanitizer), so an archive a restore would refuse fails here, before
// anything changes.
func Verify(r io.Reader, progress func(int64)) (Manifest, error) {
	rd, err := Open(r, nil)
	if err != nil {
		return Manifest{}, err
	}
	san := newSanitizer()
	for {
		h, body, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd.Manifest(), nil
		}
		if err != nil {
			return Manifest{}, err
		}
		if strings.HasPrefix(h.Name, filesPrefix) {
			hh := *h
			hh.Name = strings.TrimPrefix(h.Name, filesPrefix)
			if _, err := san.header(&hh); err != nil {
				return Manifest{}, err
			}
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
