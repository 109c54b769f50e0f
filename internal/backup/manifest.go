package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Bounds on a manifest being read: each member entry, and everything else
// (versions, facts) together. A manifest of a million members streams
// through in constant memory; one huge token is refused.
const (
	maxManifestEntry = 64 << 10
	maxManifestRest  = 1 << 20
)

// decodeManifest streams a manifest, handing each member to fn instead of
// keeping the list.
func decodeManifest(r io.Reader, fn func(Member) error) (Manifest, error) {
	br := &budgetReader{r: r, left: maxManifestRest}
	dec := json.NewDecoder(br)
	var m Manifest
	bad := func(err error) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, ErrInvalid):
			return err
		case errors.As(err, &se), errors.As(err, &te), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			// Deflate checks its CRC only at the end, so a flipped byte
			// can reach the JSON decoder first.
			return invalid("the manifest is damaged (%v)", err)
		}
		return readErr(err, "the manifest is damaged")
	}
	if t, err := dec.Token(); err != nil {
		return m, bad(err)
	} else if d, ok := t.(json.Delim); !ok || d != '{' {
		return m, invalid("the manifest is not a JSON object")
	}
	rest := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return m, bad(err)
		}
		key, _ := t.(string)
		if key != "members" {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return m, bad(err)
			}
			rest[key] = v
			continue
		}
		if t, err := dec.Token(); err != nil {
			return m, bad(err)
		} else if d, ok := t.(json.Delim); !ok || d != '[' {
			return m, invalid("the manifest's members are not a list")
		}
		saved := br.left
		for dec.More() {
			br.left = maxManifestEntry
			var mb Member
			if err := dec.Decode(&mb); err != nil {
				return m, bad(err)
			}
			if err := fn(mb); err != nil {
				return m, err
			}
		}
		br.left = saved
		if _, err := dec.Token(); err != nil {
			return m, bad(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return m, bad(err)
	}
	b, err := json.Marshal(rest)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		return m, invalid("the manifest is damaged (%v)", err)
	}
	return m, nil
}

// budgetReader fails once more than left bytes have been read.
type budgetReader struct {
	r    io.Reader
	left int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, invalid("the manifest holds an implausibly large entry")
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// printable makes a string from an archive safe to print on a terminal:
// control characters (escape sequences included) and invalid UTF-8 are
// shown as Go escapes, and very long values are cut.
func printable(s string) string {
	const max = 200
	var b strings.Builder
	for i, r := range s {
		if i >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r == unicode.ReplacementChar && !strings.HasPrefix(s[i:], string(unicode.ReplacementChar)):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Printable returns the manifest's text fields made safe for a terminal
// (see printable): what `backup verify` shows comes from the archive.
func (m Manifest) Printable() Manifest {
	for _, f := range []*string{&m.Format, &m.WpstackVersion, &m.Site, &m.WordPressVersion, &m.DBCharset, &m.DBCollation, &m.SiteURL} {
		*f = printable(*f)
	}
	return m
}

// SecretsPrintable lists the secret names made safe for a terminal.
func (m Manifest) SecretsPrintable() []string {
	out := m.Secrets()
	for i := range out {
		out[i] = printable(out[i])
	}
	return out
}
