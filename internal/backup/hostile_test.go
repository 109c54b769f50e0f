package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// crafted is one member of a hand-made archive.
type crafted struct {
	hdr  tar.Header
	body string
	// unlisted members are left out of the manifest.
	unlisted bool
}

// craft writes an archive around members, with a dump and a manifest
// consistent with them (so checksums pass), as an attacker would. edit, if
// set, changes the manifest before it is written.
func craft(t testing.TB, members []crafted, edit func(*Manifest)) ([]byte, Manifest) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	put := func(h tar.Header, body string) {
		h.Size = int64(len(body))
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if h.Mode == 0 && h.Typeflag != tar.TypeXGlobalHeader {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("write %s: %v", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, body)
		}
	}
	version := FormatVersion
	if len(members) > 0 && members[0].hdr.Name == headerName { // another version's header
		json.Unmarshal([]byte(members[0].body), &struct{ Version *int }{&version})
		members = members[1:]
	}
	hb, _ := json.Marshal(header{Format: Format, Version: version})
	put(tar.Header{Name: headerName, Typeflag: tar.TypeReg}, string(hb))
	dump := "CREATE TABLE t (v TEXT);\nINSERT INTO t VALUES ('http://old.example');\n"
	all := append([]crafted{{hdr: tar.Header{Name: dbPrefix + "0000.sql", Typeflag: tar.TypeReg}, body: dump}}, members...)
	m := Manifest{Format: Format, Version: FormatVersion, Site: "blog", Facts: Facts{DBCharset: "utf8mb4", DBCollation: "utf8mb4_unicode_ci", SiteURL: "http://old.example"}}
	for _, c := range all {
		put(c.hdr, c.body)
		if c.unlisted {
			continue
		}
		mb := Member{Name: c.hdr.Name, Type: TypeFile}
		var sum [32]byte
		switch c.hdr.Typeflag {
		case tar.TypeDir:
			mb.Type, sum = TypeDir, sha256.Sum256(nil)
		case tar.TypeSymlink:
			mb.Type, mb.Size, sum = TypeSymlink, int64(len(c.hdr.Linkname)), sha256.Sum256([]byte(c.hdr.Linkname))
		default:
			mb.Size, sum = int64(len(c.body)), sha256.Sum256([]byte(c.body))
		}
		mb.SHA256 = hex.EncodeToString(sum[:])
		m.Members = append(m.Members, mb)
	}
	if edit != nil {
		edit(&m)
	}
	mj, _ := json.Marshal(m)
	put(tar.Header{Name: manifestName, Typeflag: tar.TypeReg}, string(mj))
	tw.Close()
	gz.Close()
	d := newDigester()
	for _, mb := range m.Members {
		d.add(mb)
		m.stats.add(mb)
	}
	m.stats.digest = d.sum()
	return buf.Bytes(), m
}

func dir(name string) crafted {
	return crafted{hdr: tar.Header{Name: filesPrefix + name + "/", Typeflag: tar.TypeDir, Mode: 0o755}}
}
func file(name, body string) crafted {
	return crafted{hdr: tar.Header{Name: filesPrefix + name, Typeflag: tar.TypeReg, Mode: 0o644}, body: body}
}
func link(name, target string) crafted {
	return crafted{hdr: tar.Header{Name: filesPrefix + name, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}}
}
func special(name string, typ byte) crafted {
	return crafted{hdr: tar.Header{Name: filesPrefix + name, Typeflag: typ, Linkname: "wp-content/a", Devmajor: 1, Devminor: 3, Mode: 0o666}}
}

// Every crafted archive is refused by Verify (so a restore changes
// nothing) and, should it get past Verify, by Apply before wp-content is
// touched.
func TestHostileArchivesRefused(t *testing.T) {
	base := []crafted{dir("wp-content"), dir("wp-content/uploads")}
	tests := []struct {
		name    string
		members []crafted
		edit    func(*Manifest)
		want    string
	}{
		{"character device", []crafted{special("wp-content/uploads/null", tar.TypeChar)}, nil, "character device"},
		{"block device", []crafted{special("wp-content/uploads/sda", tar.TypeBlock)}, nil, "block device"},
		{"FIFO", []crafted{special("wp-content/uploads/fifo", tar.TypeFifo)}, nil, "FIFO"},
		{"hard link", []crafted{file("wp-content/a", "x"), special("wp-content/uploads/h", tar.TypeLink)}, nil, "hard link"},
		{"absolute symlink", []crafted{link("wp-content/uploads/esc", "/usr/local/bin")}, nil, "absolute path"},
		{"symlink escaping wp-content", []crafted{link("wp-content/uploads/esc", "../../wp-config.php")}, nil, "outside wp-content"},
		{"symlink to the webroot", []crafted{link("wp-content/up", "..")}, nil, "outside wp-content"},
		{"member under an earlier symlink", []crafted{link("wp-content/uploads/esc", "."), file("wp-content/uploads/esc/barsx", "#!/bin/sh\n")}, nil, "under the symlink"},
		{"folder under an earlier symlink", []crafted{link("wp-content/uploads/esc", "."), dir("wp-content/uploads/esc/d")}, nil, "under the symlink"},
		{"symlink through a symlink", []crafted{dir("wp-content/uploads/deep"), link("wp-content/uploads/b", ".."), link("wp-content/a", "uploads/b/../../x")}, nil, "through the symlink"},
		{"symlink redirecting an earlier one", []crafted{link("wp-content/a", "uploads/b/c"), link("wp-content/uploads/b", "..")}, nil, "redirect another symlink"},
		{"symlink replaced by a file", []crafted{link("wp-content/x", "uploads"), file("wp-content/x", "y")}, nil, "replaces a symlink"},
		{"wp-content itself a symlink", []crafted{link("wp-content", "uploads")}, nil, "must be a folder"},
		{"name outside wp-content", []crafted{file("wp-config.php", "<?php")}, nil, "not a clean path inside wp-content"},
		{"dot-dot name", []crafted{file("wp-content/../wp-config.php", "<?php")}, nil, "not a clean path inside wp-content"},
		{"member not in the manifest", []crafted{file("wp-content/uploads/extra.php", "<?php"), func() crafted { c := file("wp-content/uploads/hidden.php", "<?php"); c.unlisted = true; return c }()}, nil, "manifest lists"},
		{"unlisted folder", []crafted{func() crafted { c := dir("wp-content/uploads/d"); c.unlisted = true; return c }()}, nil, "manifest lists"},
		{"unknown type in the manifest", []crafted{file("wp-content/uploads/a", "x")}, func(m *Manifest) { m.Members[len(m.Members)-1].Type = "fifo" }, "unknown type"},
		{"type changed in the manifest", []crafted{link("wp-content/uploads/l", "a")}, func(m *Manifest) { m.Members[len(m.Members)-1].Type = TypeFile }, "differ from the manifest"},
		{"global PAX header", []crafted{{hdr: tar.Header{Name: filesPrefix + "wp-content/g", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"path": "etc/passwd"}}}}, nil, "unexpected member"},
		{"directory as a database member", []crafted{{hdr: tar.Header{Name: dbPrefix + "x/", Typeflag: tar.TypeDir}}}, nil, "only a regular file belongs"},
		{"secret with a strange name", []crafted{{hdr: tar.Header{Name: secretsPrefix + "../x", Typeflag: tar.TypeReg}, body: "x"}}, nil, "invalid name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, m := craft(t, append(append([]crafted{}, base...), tt.members...), tt.edit)
			_, err := Verify(bytes.NewReader(b), nil)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want an ErrInvalid mentioning %q", err, tt.want)
			}
			dst := &fakeSite{}
			err = Apply(context.Background(), bytes.NewReader(b), m, dst, ApplyOptions{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Apply = %v, want ErrInvalid", err)
			}
			if dst.got != nil {
				t.Errorf("wp-content was replaced from a refused archive: %v", keys(dst.got))
			}
		})
	}
}

// A setuid, world-writable, root-owned member with xattrs and PAX records
// is restored as a plain file of the service user with permission bits only.
func TestRestoreWritesPlainContent(t *testing.T) {
	evil := file("wp-content/uploads/x", "#!/bin/sh\nid\n")
	evil.hdr.Mode = 0o6777 | 0o1000
	evil.hdr.Uid, evil.hdr.Gid, evil.hdr.Uname, evil.hdr.Gname = 0, 0, "root", "root"
	evil.hdr.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02", "SCHILY.xattr.user.x": "y", "LIBARCHIVE.xattr.user.z": "w"}
	evil.hdr.Format = tar.FormatPAX
	sticky := dir("wp-content/uploads/s")
	sticky.hdr.Mode = 0o1000 | 0o2000
	members := []crafted{dir("wp-content"), dir("wp-content/uploads"), sticky, evil, link("wp-content/uploads/ok", "../uploads/x"), link("wp-content/themes", "uploads")}
	b, _ := craft(t, members, nil)
	m, err := Verify(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var raw bytes.Buffer
	dst := &rawSite{buf: &raw}
	if err := Apply(context.Background(), bytes.NewReader(b), m, dst, ApplyOptions{}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	tr := tar.NewReader(&raw)
	seen := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen++
		if h.Mode&^0o777 != 0 || h.Uid != ServiceUID || h.Gid != ServiceGID || h.Uname != "" || len(h.PAXRecords) != 0 || len(h.Xattrs) != 0 { //nolint:staticcheck // Xattrs is what old readers fill
			t.Errorf("%s restored as mode %o uid %d gid %d pax %v", h.Name, h.Mode, h.Uid, h.Gid, h.PAXRecords)
		}
	}
	if seen != len(members) {
		t.Errorf("%d members restored, want %d", seen, len(members))
	}
	if strings.Contains(raw.String(), "xattr") {
		t.Error("an xattr record reached the extraction stream")
	}
}

// rawSite keeps the tar stream an extraction would get.
type rawSite struct{ buf *bytes.Buffer }

func (r *rawSite) ImportDB(_ context.Context, _, _ string, in io.Reader) error {
	_, err := io.Copy(io.Discard, in)
	return err
}
func (r *rawSite) ImportFiles(_ context.Context, fill func(*tar.Writer) error) error {
	tw := tar.NewWriter(r.buf)
	if err := fill(tw); err != nil {
		return err
	}
	return tw.Close()
}

func TestOversizedMembersRefused(t *testing.T) {
	tests := []struct {
		name string
		hdr  tar.Header
		want string
	}{
		{"database chunk over ChunkSize", tar.Header{Name: dbPrefix + "0001.sql", Size: ChunkSize + 1}, "implausibly large"},
		{"secret over 64 KiB", tar.Header{Name: secretsPrefix + "db_password", Size: maxSecret + 1}, "implausibly large"},
		{"file over MaxFileSize", tar.Header{Name: filesPrefix + "wp-content/big", Size: MaxFileSize + 1}, "implausibly large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only the header: the reader must refuse before reading a body.
			var buf bytes.Buffer
			gz := gzip.NewWriter(&buf)
			tw := tar.NewWriter(gz)
			hb, _ := json.Marshal(header{Format: Format, Version: FormatVersion})
			tw.WriteHeader(&tar.Header{Name: headerName, Size: int64(len(hb)), Mode: 0o644})
			tw.Write(hb)
			h := tt.hdr
			h.Typeflag, h.Mode = tar.TypeReg, 0o644
			tw.WriteHeader(&h)
			tw.Flush()
			gz.Close()
			_, err := Verify(bytes.NewReader(buf.Bytes()), nil)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("huge manifest entry", func(t *testing.T) {
		b, _ := craft(t, []crafted{dir("wp-content")}, func(m *Manifest) { m.Members[len(m.Members)-1].Name = strings.Repeat("x", 4<<20) })
		_, err := Verify(bytes.NewReader(b), nil)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "implausibly large entry") {
			t.Fatalf("Verify = %v", err)
		}
	})
}

// A million empty members: verify runs in bounded memory (the issue saw
// ~900 MB) and linear time.
func TestVerifyMillionMembersBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000,000-member archive")
	}
	const n = 1_000_000
	members := make([]crafted, 0, n+1)
	members = append(members, dir("wp-content"))
	for i := range n {
		members = append(members, file("wp-content/f"+itoa(i), ""))
	}
	b, _ := craft(t, members, nil)
	members = nil
	// Measure what verify keeps, not the garbage a lazy collector lets
	// pile up: collect often while it runs.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	start := time.Now()
	m, err := Verify(bytes.NewReader(b), nil)
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if m.Count() != n+2 || m.Files() != n {
		t.Fatalf("Count = %d, Files = %d", m.Count(), m.Files())
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("verify of %d members (%d MB archive): %v, heap grew by at most %d MB", n, len(b)>>20, time.Since(start).Round(time.Millisecond), grew>>20)
	if grew > 64<<20 {
		t.Errorf("verify's heap grew by %d MB, want bounded memory (< 64 MB)", grew>>20)
	}
}

func itoa(i int) string {
	var b [20]byte
	p := len(b)
	for {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[p:])
		}
	}
}

func TestPrintableManifest(t *testing.T) {
	m := Manifest{Site: "blog\x1b]0;pwned\x07\x1b[2J", Facts: Facts{SiteURL: "http://x\r\nFAKE LINE", WordPressVersion: "6.9\u202e"}}
	p := m.Printable()
	for _, s := range []string{p.Site, p.SiteURL, p.WordPressVersion} {
		if strings.ContainsAny(s, "\x1b\x07\r\n\u202e") {
			t.Errorf("control character left in %q", s)
		}
	}
	if !strings.HasPrefix(p.Site, "blog") {
		t.Errorf("Site = %q", p.Site)
	}
}

func TestOptionValue(t *testing.T) {
	for in, want := range map[string]string{
		`abc`:                    `"abc"`,
		"a\"\npassword=x\\":      `"a\"\npassword=x\\"`,
		"tab\there #not-comment": `"tab\there #not-comment"`,
	} {
		if got := OptionValue(in); got != want {
			t.Errorf("OptionValue(%q) = %s, want %s", in, got, want)
		}
	}
}

// A 40 MB literal nested a million levels deep is replaced as plain text,
// without a stack overflow.
func TestSerializedDepthFallsBack(t *testing.T) {
	const depth = 4_500_000
	var b strings.Builder
	for range depth {
		b.WriteString("a:1:{i:0;")
	}
	b.WriteString(`s:18:"http://old.example";`)
	b.WriteString(strings.Repeat("}", depth))
	in := b.String()
	rp := NewReplacer("http://old.example", "https://new.example.org")
	out := rp.Replace(in)
	if !strings.Contains(out, "https://new.example.org") || strings.Contains(out, "http://old.example") {
		t.Fatal("the URL was not replaced")
	}
	if len(in) < 40<<20 {
		t.Fatalf("test literal only %d bytes", len(in))
	}
	// Within the bound, the count is fixed as usual.
	if got := rp.Replace(`a:1:{i:0;a:1:{i:0;s:18:"http://old.example";}}`); got != `a:1:{i:0;a:1:{i:0;s:23:"https://new.example.org";}}` {
		t.Errorf("shallow value: %s", got)
	}
	// Serialized strings nested in serialized strings past the bound.
	v := `s:18:"http://old.example";`
	for range 20 {
		v = "s:" + itoa(len(v)) + `:"` + v + `";`
	}
	if got := rp.Replace(v); !strings.Contains(got, "https://new.example.org") {
		t.Errorf("deeply nested strings not replaced: %.80s", got)
	}
}

// endless yields an unterminated literal of n bytes without holding it.
type endless struct{ n, read int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n-e.read)
	for i := range p[:k] {
		p[i] = 'a'
	}
	if e.read == 0 {
		copy(p, "INSERT INTO t VALUES ('http://old.example ")
	}
	e.read += k
	return int(k), nil
}

func TestRewriteRefusesOversized(t *testing.T) {
	rp := NewReplacer("http://old.example", "http://new.example")
	t.Run("unterminated 512 MB literal", func(t *testing.T) {
		src := &endless{n: 512 << 20}
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		_, err := io.Copy(io.Discard, RewriteSQL(src, rp))
		runtime.ReadMemStats(&ms1)
		if !errors.Is(err, ErrStatementTooLarge) {
			t.Fatalf("err = %v, want ErrStatementTooLarge", err)
		}
		if src.read > MaxStatement+(2<<20) {
			t.Errorf("read %d MB before refusing: the literal was not bounded", src.read>>20)
		}
		t.Logf("refused after %d MB read, %d MB allocated", src.read>>20, (ms1.TotalAlloc-ms0.TotalAlloc)>>20)
	})
	t.Run("statement of many literals", func(t *testing.T) {
		row := "('http://old.example/x','" + strings.Repeat("b", 1000) + "'),"
		in := "INSERT INTO t VALUES " + strings.Repeat(row, MaxStatement/len(row)+1000) + "('x');\n"
		_, err := io.Copy(io.Discard, RewriteSQL(strings.NewReader(in), rp))
		if !errors.Is(err, ErrStatementTooLarge) {
			t.Fatalf("err = %v, want ErrStatementTooLarge", err)
		}
	})
	t.Run("many statements under the cap pass", func(t *testing.T) {
		stmt := "INSERT INTO t VALUES ('http://old.example/" + strings.Repeat("c", 1000) + "');\n"
		in := strings.Repeat(stmt, MaxStatement/len(stmt)+10)
		out, err := io.ReadAll(RewriteSQL(strings.NewReader(in), rp))
		if err != nil || len(out) != len(in) {
			t.Fatalf("err = %v, %d of %d bytes", err, len(out), len(in))
		}
	})
	t.Run("unterminated identifier", func(t *testing.T) {
		_, err := io.Copy(io.Discard, RewriteSQL(strings.NewReader("INSERT INTO `"+strings.Repeat("x", 1<<20)), rp))
		if err == nil || !strings.Contains(err.Error(), "identifier") {
			t.Fatalf("err = %v", err)
		}
	})
}

// A version 1 archive (folders not listed, no types) still verifies and
// restores; a symlink in one is refused, as its manifest does not cover it.
func TestVersion1Archives(t *testing.T) {
	v1 := crafted{hdr: tar.Header{Name: headerName}, body: `{"format":"wpstack-backup","version":1}`}
	unlisted := func(c crafted) crafted { c.unlisted = true; return c }
	untyped := func(m *Manifest) {
		m.Version = 1
		for i := range m.Members {
			m.Members[i].Type = ""
		}
	}
	b, _ := craft(t, []crafted{v1, unlisted(dir("wp-content")), file("wp-content/a.txt", "x")}, untyped)
	m, err := Verify(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("Verify of a version 1 archive: %v", err)
	}
	dst := &fakeSite{}
	if err := Apply(context.Background(), bytes.NewReader(b), m, dst, ApplyOptions{}); err != nil || dst.got["wp-content/a.txt"] != "x" {
		t.Fatalf("Apply = %v, files %v", err, keys(dst.got))
	}
	b, _ = craft(t, []crafted{v1, unlisted(dir("wp-content")), unlisted(link("wp-content/l", "a"))}, untyped)
	if _, err := Verify(bytes.NewReader(b), nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "older (version 1) backup") {
		t.Fatalf("Verify = %v, want the symlink refused", err)
	}
}

// entriesSite is a Source whose wp-content is a given list of entries.
type entriesSite struct {
	fakeSite
	entries []tar.Header
}

func (e *entriesSite) Files(_ context.Context, fn func(*tar.Header, io.Reader) error) error {
	for _, h := range e.entries {
		if err := fn(&h, strings.NewReader("")); err != nil {
			return err
		}
	}
	return nil
}

// A site holding what a restore would refuse still gets a backup a restore
// accepts: those entries are left out, and the caller is told.
func TestBackupLeavesOutWhatRestoreRefuses(t *testing.T) {
	src := &entriesSite{fakeSite: fakeSite{dump: "SELECT 1;\n"}, entries: []tar.Header{
		{Name: "wp-content/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "wp-content/plugins/shared", Typeflag: tar.TypeSymlink, Linkname: "/usr/share/php"},
		{Name: "wp-content/uploads/fifo", Typeflag: tar.TypeFifo},
		{Name: "wp-content/uploads/link", Typeflag: tar.TypeSymlink, Linkname: "../plugins"},
		{Name: "wp-content/a.txt", Typeflag: tar.TypeReg, Mode: 0o644},
	}}
	var skipped []string
	var buf bytes.Buffer
	if _, err := Create(context.Background(), src, &buf, CreateOptions{Site: "blog", Skipped: func(name, why string) { skipped = append(skipped, name+": "+why) }}); err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 2 || !strings.Contains(skipped[0], "absolute path") || !strings.Contains(skipped[1], "FIFO") {
		t.Errorf("skipped = %q", skipped)
	}
	m, err := Verify(bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatalf("Verify of a fresh backup: %v", err)
	}
	if m.Count() != 4 {
		t.Errorf("%d members, want 4 (dump, folder, relative symlink, file)", m.Count())
	}
}
