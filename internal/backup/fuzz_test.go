package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// The fuzz targets' seeds are in testdata/fuzz/<Target>/ and run as unit
// tests; `make fuzz` runs each target for FUZZTIME.

func seedArchives(f *testing.F) {
	good, _ := craft(f, []crafted{dir("wp-content"), file("wp-content/a.txt", "hello"), link("wp-content/l", "a.txt")}, nil)
	f.Add(good)
	evil, _ := craft(f, []crafted{dir("wp-content"), link("wp-content/esc", "."), file("wp-content/esc/x", "y")}, nil)
	f.Add(evil)
	f.Add([]byte{})
}

// FuzzVerify: any input is either a valid archive or an ErrInvalid (or a
// plain read error), never a panic; a valid one restores without error.
func FuzzVerify(f *testing.F) {
	seedArchives(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Verify(bytes.NewReader(b), nil)
		if err != nil {
			return
		}
		dst := &rawSite{buf: &bytes.Buffer{}}
		if err := Apply(context.Background(), bytes.NewReader(b), m, dst, ApplyOptions{}); err != nil {
			t.Fatalf("Verify accepted what Apply refuses: %v", err)
		}
		tr := tar.NewReader(dst.buf)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("restore stream unreadable: %v", err)
			}
			if h.Mode&^0o777 != 0 || h.Uid != ServiceUID || len(h.PAXRecords) != 0 || !strings.HasPrefix(h.Name, "wp-content") ||
				(h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir && h.Typeflag != tar.TypeSymlink) || strings.HasPrefix(h.Linkname, "/") {
				t.Fatalf("restore would write %+v", h)
			}
		}
	})
}

// FuzzReader drives the member reader directly, with and without an
// expected manifest.
func FuzzReader(f *testing.F) {
	seedArchives(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, expect := range []*Manifest{nil, {}} {
			rd, err := Open(bytes.NewReader(b), expect)
			if err != nil {
				continue
			}
			for {
				_, body, err := rd.Next()
				if err != nil {
					if expect != nil && err == io.EOF {
						t.Fatal("an archive matched an empty expected manifest")
					}
					break
				}
				io.Copy(io.Discard, body)
			}
		}
	})
}

// FuzzRewriteSQL: the rewrite never panics, and on a dump without the old
// URL it changes nothing.
func FuzzRewriteSQL(f *testing.F) {
	f.Add("INSERT INTO `wp_options` VALUES (1,'home','http://old.example','yes');\n", "http://old.example")
	f.Add("-- comment 'http://old.example\nINSERT INTO t VALUES ('a:1:{s:4:\"home\";s:18:\"http://old.example\";}');\n", "http://old.example")
	f.Add("INSERT INTO t VALUES ('it''s \\' \\\\ http://old.example');", "http://old.example")
	f.Add("'unterminated", "x")
	f.Fuzz(func(t *testing.T, dump, old string) {
		if old == "" || strings.Contains(old, "\x00") {
			return
		}
		rp := NewReplacer(old, "https://new.example.org")
		var out bytes.Buffer
		err := rewriteSQL(bufio.NewReader(strings.NewReader(dump)), bufio.NewWriter(&out), rp, 1<<16)
		if err == nil && !rp.matches([]byte(dump)) {
			w := bufio.NewWriter(&out)
			out.Reset()
			if err := rewriteSQL(bufio.NewReader(strings.NewReader(dump)), w, rp, 1<<16); err == nil {
				w.Flush()
				if out.String() != dump {
					t.Fatalf("a dump without the URL changed:\n%q\n%q", dump, out.String())
				}
			}
		}
	})
}

// FuzzReplace: the serialized fixer never panics, and a value it parses
// as serialized comes out with correct string lengths (it parses again).
func FuzzReplace(f *testing.F) {
	f.Add(`a:2:{s:4:"home";s:18:"http://old.example";i:0;O:8:"stdClass":1:{s:1:"u";s:22:"http://old.example/a/b";}}`)
	f.Add(`s:26:"s:18:"http://old.example";";`)
	f.Add(`a:1:{i:0;a:1:{i:0;a:1:{i:0;s:18:"http://old.example";}}}`)
	f.Add(`C:3:"Foo":20:{http://old.example..}`)
	f.Add(`http://old.example plain`)
	f.Fuzz(func(t *testing.T, v string) {
		rp := NewReplacer("http://old.example", "https://new.example.org")
		out := rp.Replace(v)
		if !rp.matches([]byte(v)) && out != v {
			t.Fatalf("a value without the URL changed: %q -> %q", v, out)
		}
		if looksSerialized([]byte(v)) {
			var sink bytes.Buffer
			p := &serParser{in: []byte(v), out: &sink, rp: NewReplacer("\x00never", "x")}
			if p.value() && p.pos == len(v) {
				q := &serParser{in: []byte(out), out: &sink, rp: NewReplacer("\x00never", "x")}
				if !q.value() || q.pos != len(out) {
					t.Fatalf("valid serialized value broken by the rewrite: %q -> %q", v, out)
				}
			}
		}
	})
}
