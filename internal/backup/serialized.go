package backup

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
)

// Replacer rewrites a site's URL into another one in database values,
// keeping PHP-serialized values valid: a serialized string's byte count is
// fixed after its content changes, or PHP would refuse to unserialize it and
// WordPress would silently lose the whole option (widgets, theme mods…).
type Replacer struct {
	olds []string
	r    *strings.Replacer
}

// NewReplacer replaces oldURL by newURL (trailing slashes ignored) in the
// plain, JSON-escaped (http:\/\/…) and URL-encoded (http%3A%2F%2F…) forms
// WordPress stores.
func NewReplacer(oldURL, newURL string) *Replacer {
	o, n := strings.TrimRight(oldURL, "/"), strings.TrimRight(newURL, "/")
	pairs := []string{
		o, n,
		strings.ReplaceAll(o, "/", `\/`), strings.ReplaceAll(n, "/", `\/`),
		url.QueryEscape(o), url.QueryEscape(n),
	}
	rp := &Replacer{r: strings.NewReplacer(pairs...)}
	for i := 0; i < len(pairs); i += 2 {
		rp.olds = append(rp.olds, pairs[i])
	}
	return rp
}

// matches says whether s holds anything to replace.
func (rp *Replacer) matches(s []byte) bool {
	for _, o := range rp.olds {
		if bytes.Contains(s, []byte(o)) {
			return true
		}
	}
	return false
}

// Replace rewrites one database value. A value that parses as a whole as
// PHP-serialized data is rewritten string by string (recursing into strings
// that are themselves serialized) with every count fixed; anything else is
// replaced as plain text. A value without the old URL is returned as is.
func (rp *Replacer) Replace(s string) string {
	b := []byte(s)
	if !rp.matches(b) {
		return s
	}
	return string(rp.replaceBytes(b))
}

// Bounds on the serialized parser: how deep arrays and objects nest, and
// how many serialized strings nest inside one another (each level copies
// its string once more). PHP's own unserialize stops at a depth of 4096 by
// default; WordPress's values nest a handful of levels. Past either bound a
// value is replaced as plain text, so a hostile value cannot exhaust the
// stack or the time.
const (
	maxSerDepth    = 512
	maxSerStrDepth = 8
)

func (rp *Replacer) replaceBytes(b []byte) []byte { return rp.replaceAt(b, 0) }

func (rp *Replacer) replaceAt(b []byte, strDepth int) []byte {
	if !rp.matches(b) {
		return b
	}
	if looksSerialized(b) && strDepth < maxSerStrDepth {
		var out bytes.Buffer
		p := &serParser{in: b, out: &out, rp: rp, strDepth: strDepth}
		if p.value() && p.pos == len(b) {
			return out.Bytes()
		}
	}
	return []byte(rp.r.Replace(string(b)))
}

func looksSerialized(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	if string(b) == "N;" {
		return true
	}
	return b[1] == ':' && strings.IndexByte("aOsibdCEN", b[0]) >= 0
}

// serParser copies a serialized value from in to out, rewriting strings.
type serParser struct {
	in  []byte
	pos int
	out *bytes.Buffer
	rp  *Replacer
	// depth counts the arrays and objects open; strDepth the serialized
	// strings this value is nested in.
	depth, strDepth int
}

func (p *serParser) value() bool {
	if p.pos+1 >= len(p.in) {
		return false
	}
	t := p.in[p.pos]
	if t == 'N' {
		return p.lit("N;")
	}
	if p.in[p.pos+1] != ':' {
		return false
	}
	switch t {
	case 'b', 'i', 'd', 'r', 'R':
		end := bytes.IndexByte(p.in[p.pos:], ';')
		if end < 0 {
			return false
		}
		p.out.Write(p.in[p.pos : p.pos+end+1])
		p.pos += end + 1
		return true
	case 's':
		p.pos += 2
		s, ok := p.str()
		if !ok || !p.expect(';') {
			return false
		}
		s = p.rp.replaceAt(s, p.strDepth+1)
		p.out.WriteString("s:" + strconv.Itoa(len(s)) + ":\"")
		p.out.Write(s)
		p.out.WriteString("\";")
		return true
	case 'E': // enum case: copied as is
		start := p.pos
		p.pos += 2
		if _, ok := p.str(); !ok || !p.expect(';') {
			return false
		}
		p.out.Write(p.in[start:p.pos])
		return true
	case 'a':
		p.pos += 2
		n, ok := p.count(':')
		if !ok || !p.expect('{') {
			return false
		}
		p.out.WriteString("a:" + strconv.Itoa(n) + ":{")
		return p.pairs(n)
	case 'O':
		p.pos += 2
		class, ok := p.str()
		if !ok || !p.expect(':') {
			return false
		}
		n, ok := p.count(':')
		if !ok || !p.expect('{') {
			return false
		}
		p.out.WriteString("O:" + strconv.Itoa(len(class)) + ":\"")
		p.out.Write(class)
		p.out.WriteString("\":" + strconv.Itoa(n) + ":{")
		return p.pairs(n)
	case 'C': // custom serialization: opaque to us, copied as is
		start := p.pos
		p.pos += 2
		if _, ok := p.str(); !ok || !p.expect(':') {
			return false
		}
		n, ok := p.count(':')
		if !ok || !p.expect('{') || p.pos+n+1 > len(p.in) || p.in[p.pos+n] != '}' {
			return false
		}
		p.pos += n + 1
		p.out.Write(p.in[start:p.pos])
		return true
	}
	return false
}

// pairs reads n key/value pairs and the closing brace.
func (p *serParser) pairs(n int) bool {
	if p.depth++; p.depth > maxSerDepth || n > len(p.in)-p.pos {
		return false
	}
	defer func() { p.depth-- }()
	for i := 0; i < 2*n; i++ {
		if !p.value() {
			return false
		}
	}
	if !p.expect('}') {
		return false
	}
	p.out.WriteByte('}')
	return true
}

// str reads `<len>:"<bytes>"` and returns the bytes (not written to out).
func (p *serParser) str() ([]byte, bool) {
	n, ok := p.count(':')
	if !ok || !p.expect('"') || p.pos+n+1 > len(p.in) || p.in[p.pos+n] != '"' {
		return nil, false
	}
	s := p.in[p.pos : p.pos+n]
	p.pos += n + 1
	return s, true
}

// count reads a non-negative decimal number followed by sep.
func (p *serParser) count(sep byte) (int, bool) {
	end := bytes.IndexByte(p.in[p.pos:min(len(p.in), p.pos+11)], sep)
	if end <= 0 || end > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(string(p.in[p.pos : p.pos+end]))
	if err != nil || n < 0 {
		return 0, false
	}
	p.pos += end + 1
	return n, true
}

func (p *serParser) expect(c byte) bool {
	if p.pos >= len(p.in) || p.in[p.pos] != c {
		return false
	}
	p.pos++
	return true
}

func (p *serParser) lit(s string) bool {
	if !bytes.HasPrefix(p.in[p.pos:], []byte(s)) {
		return false
	}
	p.out.WriteString(s)
	p.pos += len(s)
	return true
}
