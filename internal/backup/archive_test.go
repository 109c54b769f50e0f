package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSite is a Source and a Target held in memory.
type fakeSite struct {
	dump  string
	files map[string]string
	gotDB string
	got   map[string]string
}

func (f *fakeSite) Facts(context.Context) (Facts, error) {
	return Facts{WordPressVersion: "6.9", DBCharset: "utf8mb4", DBCollation: "utf8mb4_unicode_ci", Tables: 12, SiteURL: "http://localhost:8080"}, nil
}
func (f *fakeSite) Dump(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, f.dump)
	return err
}
func (f *fakeSite) Files(_ context.Context, fn func(*tar.Header, io.Reader) error) error {
	if err := fn(&tar.Header{Name: "wp-content", Typeflag: tar.TypeDir, Mode: 0o755}, nil); err != nil {
		return err
	}
	for _, name := range []string{"wp-content/a.txt", "wp-content/uploads/b.bin"} {
		if err := fn(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.files[name]))}, strings.NewReader(f.files[name])); err != nil {
			return err
		}
	}
	return nil
}
func (f *fakeSite) ImportDB(_ context.Context, _, _ string, r io.Reader) error {
	b, err := io.ReadAll(r)
	f.gotDB = string(b)
	return err
}
func (f *fakeSite) ImportFiles(_ context.Context, fill func(*tar.Writer) error) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := fill(tw); err != nil {
		return err
	}
	tw.Close()
	f.got = map[string]string{}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		b, _ := io.ReadAll(tr)
		f.got[h.Name] = string(b)
	}
}

func makeArchive(t *testing.T, src *fakeSite) ([]byte, Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Create(context.Background(), src, &buf, CreateOptions{Site: "blog", WpstackVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

func newFake() *fakeSite {
	big := strings.Repeat("INSERT INTO t VALUES ('http://localhost:8080');\n", ChunkSize/40) // > 1 chunk
	return &fakeSite{dump: big, files: map[string]string{"wp-content/a.txt": "hello", "wp-content/uploads/b.bin": strings.Repeat("\x00\xff", 5000)}}
}

func TestCreateVerifyApply(t *testing.T) {
	src := newFake()
	b, m := makeArchive(t, src)
	if m.Tables != 12 || m.SiteURL != "http://localhost:8080" || m.Files() != 2 || len(m.Members) < 4 || m.Count() != len(m.Members) {
		t.Fatalf("manifest = %+v", m)
	}
	vm, err := Verify(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	dst := &fakeSite{}
	rp := NewReplacer("http://localhost:8080", "http://localhost:9090")
	err = Apply(context.Background(), bytes.NewReader(b), vm, dst, ApplyOptions{Rewrite: func(r io.Reader) io.Reader { return RewriteSQL(r, rp) }})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if want := strings.ReplaceAll(src.dump, "8080", "9090"); dst.gotDB != want {
		t.Errorf("restored dump differs (len %d, want %d)", len(dst.gotDB), len(want))
	}
	for name, body := range src.files {
		if dst.got[name] != body {
			t.Errorf("file %s not restored", name)
		}
	}
	if _, ok := dst.got["wp-content/"]; !ok {
		t.Errorf("directory entry missing: %v", keys(dst.got))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestVerifyRefusesBadArchives(t *testing.T) {
	good, _ := makeArchive(t, newFake())
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x55
		return b
	}
	var foreign bytes.Buffer
	tw := tar.NewWriter(&foreign)
	tw.WriteHeader(&tar.Header{Name: "etc/passwd", Size: 1, Mode: 0o644})
	tw.Write([]byte("x"))
	tw.Close()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a valid wpstack backup"},
		{"truncated in the middle", good[:len(good)/2], "truncated"},
		{"truncated at the end", good[:len(good)-3], "truncated"},
		{"corrupted in the middle", flip(len(good) / 2), "not a valid wpstack backup"},
		{"corrupted near the end", flip(len(good) - 20), "not a valid wpstack backup"},
		{"plain tar", foreign.Bytes(), "not gzip"},
		{"text", []byte("hello world\n"), "not a valid wpstack backup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(tt.data), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Errorf("Verify = %v, want an ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

// Any single flipped byte anywhere must be reported as a bad archive,
// never as some other error or as success.
func TestVerifyRefusesEveryFlippedByte(t *testing.T) {
	good, _ := makeArchive(t, newFake())
	step := len(good)/400 + 1
	for at := 0; at < len(good); at += step {
		if at >= 4 && at <= 9 {
			continue // gzip's mtime, XFL and OS bytes carry no data
		}
		b := bytes.Clone(good)
		b[at] ^= 0x55
		if _, err := Verify(bytes.NewReader(b), nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("byte %d of %d flipped: Verify = %v, want ErrInvalid", at, len(good), err)
		}
	}
}

func TestApplyCatchesChangeAfterVerify(t *testing.T) {
	good, _ := makeArchive(t, newFake())
	other := newFake()
	other.files["wp-content/a.txt"] = "HELLO" // same size, other content
	changed, _ := makeArchive(t, other)
	m, err := Verify(bytes.NewReader(good), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The file is replaced by another valid archive after Verify.
	dst := &fakeSite{}
	if err := Apply(context.Background(), bytes.NewReader(changed), m, dst, ApplyOptions{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Apply = %v, want ErrInvalid", err)
	}
	if dst.got != nil {
		t.Error("files were restored from an archive that failed its check")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.wpbackup")
	_, _, err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errors.New("disk full")
	})
	if err == nil {
		t.Fatal("error swallowed")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a failed write left %v", ents)
	}
	n, sum, err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "done"); return err })
	if err != nil || n != 4 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if got, _ := FileSHA256(path); got != sum {
		t.Errorf("sum %s, file %s", sum, got)
	}
	if _, _, err := WriteFileAtomic(path, func(io.Writer) error { return nil }); err == nil {
		t.Error("an existing backup was overwritten")
	}
}

func TestSecretsOnlyWhenAsked(t *testing.T) {
	plain, pm := makeArchive(t, newFake())
	if pm.IncludesSecrets || len(pm.Secrets()) != 0 {
		t.Fatalf("a backup without secrets lists %v", pm.Secrets())
	}
	if s, err := ReadSecrets(bytes.NewReader(plain), pm); err != nil || len(s) != 0 {
		t.Fatalf("ReadSecrets on a plain archive = %v, %v", s, err)
	}

	want := map[string][]byte{"db_password": []byte("dbpw\n"), "wp_salts": []byte("define('AUTH_KEY', 'x');\n")}
	var buf bytes.Buffer
	m, err := Create(context.Background(), newFake(), &buf, CreateOptions{Site: "blog", Secrets: want})
	if err != nil {
		t.Fatal(err)
	}
	if !m.IncludesSecrets || strings.Join(m.Secrets(), ",") != "db_password,wp_salts" {
		t.Fatalf("manifest secrets = %v (%v)", m.Secrets(), m.IncludesSecrets)
	}
	vm, err := Verify(bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	got, err := ReadSecrets(bytes.NewReader(buf.Bytes()), vm)
	if err != nil || len(got) != 2 || string(got["db_password"]) != "dbpw\n" || string(got["wp_salts"]) != string(want["wp_salts"]) {
		t.Fatalf("ReadSecrets = %q, %v", got, err)
	}
	// Apply restores the data and leaves the secrets to the caller.
	dst := &fakeSite{}
	if err := Apply(context.Background(), bytes.NewReader(buf.Bytes()), vm, dst, ApplyOptions{}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if dst.gotDB == "" || len(dst.got) != 3 {
		t.Fatalf("Apply restored %d bytes of SQL and %v", len(dst.gotDB), keys(dst.got))
	}
	// A secret changed after Verify is caught.
	var other bytes.Buffer
	if _, err := Create(context.Background(), newFake(), &other, CreateOptions{Site: "blog", Secrets: map[string][]byte{"db_password": []byte("DBPW\n"), "wp_salts": want["wp_salts"]}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSecrets(bytes.NewReader(other.Bytes()), vm); !errors.Is(err, ErrInvalid) {
		t.Fatalf("ReadSecrets with a changed secret = %v, want ErrInvalid", err)
	}
}

// A swarm site's mailbox is in wp-content; backups leave it out, and only it.
func TestMailboxLeftOut(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteDB(strings.NewReader("SELECT 1;\n")); err != nil {
		t.Fatal(err)
	}
	for _, h := range []tar.Header{
		{Name: "wp-content", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "wp-content/.wpstack-mail", Typeflag: tar.TypeDir, Mode: 0o700},
		{Name: "wp-content/.wpstack-mail/new/1.wpstack", Typeflag: tar.TypeReg, Mode: 0o600, Size: 5},
		{Name: "wp-content/.wpstack-mailer.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5},
	} {
		if err := w.WriteFile(&h, strings.NewReader("hello")); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Close(Manifest{Site: "blog"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, mb := range m.Members {
		names = append(names, mb.Name)
	}
	got := strings.Join(names, " ")
	if strings.Contains(got, ".wpstack-mail/") || !strings.Contains(got, "files/wp-content/.wpstack-mailer.txt") {
		t.Errorf("members = %s", got)
	}
}
