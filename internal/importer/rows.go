package importer

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wpstack/wpstack/internal/backup"
)

// parseRows reads the rows of an INSERT statement's tail (after the table
// name): an optional column list, VALUES, then (…),(…). Only the columns
// in want (name → position when the statement has no column list) are
// returned, unescaped; a row is a map of those.
func parseRows(b []byte, want map[string]int) ([]map[string]string, error) {
	p := &rowParser{b: b}
	p.space()
	pos := map[int]string{}
	for name, i := range want {
		pos[i] = name
	}
	if p.peek() == '(' {
		// A column list: positions come from it.
		p.i++
		pos = map[int]string{}
		for n := 0; ; n++ {
			p.space()
			name, err := p.ident()
			if err != nil {
				return nil, err
			}
			if _, ok := want[name]; ok {
				pos[n] = name
			}
			p.space()
			if p.peek() == ',' {
				p.i++
				continue
			}
			if p.peek() != ')' {
				return nil, fmt.Errorf("unexpected %q in the column list", p.peek())
			}
			p.i++
			break
		}
		p.space()
	}
	if !p.word("VALUES") && !p.word("VALUE") {
		return nil, nil // INSERT … SELECT or SET: nothing to count
	}
	var rows []map[string]string
	for {
		p.space()
		if p.peek() != '(' {
			return nil, fmt.Errorf("expected a row, found %q", p.peek())
		}
		p.i++
		row := map[string]string{}
		for n := 0; ; n++ {
			p.space()
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if name, ok := pos[n]; ok {
				row[name] = v
			}
			p.space()
			c := p.peek()
			p.i++
			if c == ',' {
				continue
			}
			if c != ')' {
				return nil, fmt.Errorf("unexpected %q in a row", c)
			}
			break
		}
		rows = append(rows, row)
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		default:
			return rows, nil // ';' or ON DUPLICATE KEY …
		}
	}
}

type rowParser struct {
	b []byte
	i int
}

func (p *rowParser) peek() byte {
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *rowParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\r' || p.b[p.i] == '\t') {
		p.i++
	}
}

func (p *rowParser) word(w string) bool {
	if p.i+len(w) <= len(p.b) && strings.EqualFold(string(p.b[p.i:p.i+len(w)]), w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *rowParser) ident() (string, error) {
	if p.peek() == '`' {
		j := bytes.IndexByte(p.b[p.i+1:], '`')
		if j < 0 {
			return "", fmt.Errorf("unterminated column name")
		}
		s := string(p.b[p.i+1 : p.i+1+j])
		p.i += j + 2
		return s, nil
	}
	st := p.i
	for p.i < len(p.b) && (p.b[p.i] == '_' || p.b[p.i] >= 'a' && p.b[p.i] <= 'z' || p.b[p.i] >= 'A' && p.b[p.i] <= 'Z' || p.b[p.i] >= '0' && p.b[p.i] <= '9') {
		p.i++
	}
	if st == p.i {
		return "", fmt.Errorf("expected a column name, found %q", p.peek())
	}
	return string(p.b[st:p.i]), nil
}

// value reads one value: a quoted string (optionally _charset-introduced),
// or a bare token (number, NULL, 0x…, b'…' is read as a string).
func (p *rowParser) value() (string, error) {
	if p.peek() == '_' { // _binary 'x', _utf8mb4 'x'
		for p.i < len(p.b) && p.b[p.i] != '\'' && p.b[p.i] != ',' && p.b[p.i] != ')' {
			p.i++
		}
		p.space()
	}
	if c := p.peek(); c == '\'' || c == '"' {
		p.i++
		st := p.i
		for p.i < len(p.b) {
			d := p.b[p.i]
			p.i++
			switch {
			case d == '\\' && p.i < len(p.b):
				p.i++ // the escaped byte, whatever it is
			case d == c && p.peek() == c:
				p.i++ // a doubled quote
			case d == c:
				return string(backup.UnescapeSQL(p.b[st:p.i-1], c)), nil
			}
		}
		return "", fmt.Errorf("unterminated string")
	}
	st := p.i
	for p.i < len(p.b) && p.b[p.i] != ',' && p.b[p.i] != ')' && p.b[p.i] != ' ' && p.b[p.i] != '\n' {
		p.i++
	}
	if st == p.i {
		return "", fmt.Errorf("expected a value, found %q", p.peek())
	}
	return string(p.b[st:p.i]), nil
}
