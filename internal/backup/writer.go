package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// Writer streams members into an archive. Members are hashed as they pass.
type Writer struct {
	gz      *gzip.Writer
	tw      *tar.Writer
	members []Member
	chunks  int
	seen    map[string]bool
	// Counted is called with the bytes of each member as they are written.
	Counted func(n int64)
	// Skipped, if set, is told of each wp-content entry left out because a
	// restore would refuse it (a device, a hard link, a symlink leading out
	// of wp-content), so every archive written is one a restore accepts.
	Skipped func(name, why string)
	san     *sanitizer
}

// NewWriter starts an archive on w and writes its header member.
func NewWriter(w io.Writer) (*Writer, error) {
	gz, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	wr := &Writer{gz: gz, tw: tar.NewWriter(gz), seen: map[string]bool{}, san: newSanitizer()}
	b, _ := json.Marshal(header{Format: Format, Version: FormatVersion})
	if err := wr.put(&tar.Header{Name: headerName, Mode: 0o644, Size: int64(len(b)), ModTime: time.Now()}, strings.NewReader(string(b)), false); err != nil {
		return nil, err
	}
	return wr, nil
}

// WriteSecret adds one secret; call it before WriteDB.
func (w *Writer) WriteSecret(name string, value []byte) error {
	if !safeIdent(name) || len(value) > maxSecret {
		return fmt.Errorf("refusing secret %q (%d bytes)", name, len(value))
	}
	if w.chunks > 0 {
		return errors.New("secrets go before the database dump")
	}
	return w.put(&tar.Header{Name: secretsPrefix + name, Mode: 0o600, Size: int64(len(value)), ModTime: time.Now()}, bytes.NewReader(value), true)
}

// WriteDB cuts the dump read from r into chunks of at most ChunkSize.
func (w *Writer) WriteDB(r io.Reader) error {
	buf := make([]byte, ChunkSize)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			name := fmt.Sprintf("%s%04d.sql", dbPrefix, w.chunks)
			w.chunks++
			if perr := w.put(&tar.Header{Name: name, Mode: 0o600, Size: int64(n), ModTime: time.Now()}, bytes.NewReader(buf[:n]), true); perr != nil {
				return perr
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			if w.chunks == 0 {
				return errors.New("the database dump is empty")
			}
			return nil
		default:
			return fmt.Errorf("read the database dump: %w", err)
		}
	}
}

// WriteFile adds one entry of wp-content; hdr.Name is relative to the
// webroot (e.g. "wp-content/uploads/a.jpg"). Only regular files carry data.
func (w *Writer) WriteFile(hdr *tar.Header, r io.Reader) error {
	name, err := cleanMember(hdr.Name)
	if err != nil {
		return err
	}
	if isMailbox(name) {
		return nil
	}
	h := *hdr
	h.Name = name
	if hdr.Typeflag == tar.TypeRegA { //nolint:staticcheck // what old tar writers emit
		h.Typeflag = tar.TypeReg
	}
	if _, err := w.san.header(&h); err != nil {
		if w.Skipped != nil {
			w.Skipped(name, strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
		}
		return nil
	}
	h.Name = filesPrefix + name
	if hdr.Typeflag == tar.TypeDir {
		h.Name += "/"
	}
	h.Format = tar.FormatPAX
	switch hdr.Typeflag {
	case tar.TypeReg:
		return w.put(&h, r, true)
	case tar.TypeDir, tar.TypeSymlink:
		h.Size = 0
		if w.seen[h.Name] {
			return fmt.Errorf("member %q written twice", h.Name)
		}
		w.seen[h.Name] = true
		if err := w.tw.WriteHeader(&h); err != nil {
			return fmt.Errorf("write %s: %w", h.Name, err)
		}
		m := Member{Name: h.Name, Type: TypeDir, SHA256: emptySHA256}
		if hdr.Typeflag == tar.TypeSymlink {
			sum := sha256.Sum256([]byte(h.Linkname))
			m = Member{Name: h.Name, Type: TypeSymlink, Size: int64(len(h.Linkname)), SHA256: hex.EncodeToString(sum[:])}
		}
		w.members = append(w.members, m)
		return nil
	default:
		return nil // refused by the sanitizer above
	}
}

// mailboxMember is a swarm site's mailbox in wp-content. Backups leave it
// out: mail is not the site (local sites keep it in a volume no backup
// reads), and its password-reset links must not outlive it in archives.
const mailboxMember = "wp-content/" + contract.MailboxSubdir

func isMailbox(name string) bool {
	return name == mailboxMember || strings.HasPrefix(name, mailboxMember+"/")
}

// put writes a member and records its hash.
func (w *Writer) put(h *tar.Header, r io.Reader, record bool) error {
	if w.seen[h.Name] {
		return fmt.Errorf("member %q written twice", h.Name)
	}
	w.seen[h.Name] = true
	if err := w.tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write %s: %w", h.Name, err)
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(w.tw, sum), r)
	if err != nil {
		return fmt.Errorf("write %s: %w", h.Name, err)
	}
	if n != h.Size {
		return fmt.Errorf("write %s: %d bytes read, %d announced (the file changed while it was read?)", h.Name, n, h.Size)
	}
	if w.Counted != nil {
		w.Counted(n)
	}
	if record {
		w.members = append(w.members, Member{Name: h.Name, Type: TypeFile, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))})
	}
	return nil
}

// Close writes the manifest (filling its format and members) and ends the
// archive. The caller still owns the underlying writer.
func (w *Writer) Close(m Manifest) (Manifest, error) {
	if w.chunks == 0 {
		return m, errors.New("close archive: no database dump was written")
	}
	m.Format, m.Version, m.Members = Format, FormatVersion, w.members
	d := newDigester()
	m.stats = stats{}
	for _, mb := range w.members {
		d.add(mb)
		m.stats.add(mb)
	}
	m.stats.digest = d.sum()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := w.put(&tar.Header{Name: manifestName, Mode: 0o644, Size: int64(len(b)), ModTime: time.Now()}, strings.NewReader(string(b)), false); err != nil {
		return m, err
	}
	if err := w.tw.Close(); err != nil {
		return m, fmt.Errorf("end archive: %w", err)
	}
	if err := w.gz.Close(); err != nil {
		return m, fmt.Errorf("end archive: %w", err)
	}
	return m, nil
}

// cleanMember refuses names that would escape wp-content on restore.
func cleanMember(name string) (string, error) {
	c := path.Clean(strings.TrimPrefix(name, "./"))
	if c != "wp-content" && !strings.HasPrefix(c, "wp-content/") {
		return "", fmt.Errorf("unexpected file %q: only wp-content is backed up", name)
	}
	return c, nil
}
