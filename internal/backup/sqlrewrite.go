package backup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxStatement bounds one SQL statement (and so one string literal) in a
// dump being rewritten: the database's max_allowed_packet
// (recipes/db/99-wpstack.cnf), so nothing the server would take is
// refused, and a hostile dump cannot make the rewrite buffer more.
const MaxStatement = 64 << 20

// ErrStatementTooLarge is wrapped when a dump holds a statement or literal
// over MaxStatement.
var ErrStatementTooLarge = errors.New("statement larger than the database's max_allowed_packet")

// RewriteSQL streams a mariadb-dump output through rp: every quoted string
// literal that holds the old URL is unescaped, rewritten (serialization
// aware) and escaped again; every other byte passes through unchanged.
//
// Rewriting the dump on its way in, rather than with SQL after the import,
// needs no second pass over the database, works the same in every layout,
// and keeps the logic in Go where it is tested without a server.
func RewriteSQL(r io.Reader, rp *Replacer) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 256<<10)
		err := rewriteSQL(bufio.NewReaderSize(r, 256<<10), w, rp, MaxStatement)
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

func rewriteSQL(r *bufio.Reader, w *bufio.Writer, rp *Replacer, max int) error {
	lineStart := true
	var lit []byte
	stmt := 0 // bytes of the current statement so far
	tooLarge := func() error {
		return fmt.Errorf("the dump holds a %w (%d MiB): refusing it", ErrStatementTooLarge, max>>20)
	}
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if stmt++; stmt > max {
			return tooLarge()
		}
		switch {
		case lineStart && c == '-':
			// A "-- " comment runs to the end of the line; its text is not SQL.
			if next, _ := r.Peek(1); len(next) == 1 && next[0] == '-' {
				line, err := r.ReadSlice('\n')
				w.WriteByte(c)
				w.Write(line)
				for err == bufio.ErrBufferFull {
					line, err = r.ReadSlice('\n')
					w.Write(line)
				}
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				lineStart = true
				continue
			}
			w.WriteByte(c)
		case c == '`':
			// An identifier: copied to its closing backtick.
			w.WriteByte(c)
			id, err := r.ReadSlice('`')
			w.Write(id)
			stmt += len(id)
			if errors.Is(err, bufio.ErrBufferFull) {
				return fmt.Errorf("the dump holds an identifier longer than %d KiB: refusing it", r.Size()>>10)
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("the dump ends inside an identifier: %w", io.ErrUnexpectedEOF)
			}
			if err != nil {
				return err
			}
		case c == '\'' || c == '"':
			lit, err = readLiteral(r, c, lit[:0], max-stmt)
			if errors.Is(err, ErrStatementTooLarge) {
				return tooLarge()
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("the dump ends inside a string literal: %w", err)
			}
			if err != nil {
				return err
			}
			stmt += len(lit) + 1 // and its closing quote
			if cap(lit) > 1<<20 {
				lit = nil // do not keep a large buffer for the rest of the dump
			}
			if rp.matches(lit) {
				v := rp.replaceBytes(unescape(lit, c))
				w.WriteByte(c)
				escape(w, v)
				w.WriteByte(c)
			} else {
				w.WriteByte(c)
				w.Write(lit)
				w.WriteByte(c)
			}
		case c == ';':
			w.WriteByte(c)
			stmt = 0
		default:
			w.WriteByte(c)
		}
		lineStart = c == '\n'
	}
}

// readLiteral returns the raw (still escaped) bytes up to the closing
// quote, refusing more than max.
func readLiteral(r *bufio.Reader, q byte, buf []byte, max int) ([]byte, error) {
	for {
		if len(buf) > max {
			return buf, ErrStatementTooLarge
		}
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
		if c == '\\' {
			d, err := r.ReadByte()
			if err != nil {
				return buf, io.ErrUnexpectedEOF
			}
			buf = append(buf, c, d)
			continue
		}
		if c == q {
			// A doubled quote is an escaped quote.
			if next, _ := r.Peek(1); len(next) == 1 && next[0] == q {
				r.ReadByte()
				buf = append(buf, q, q) // kept as written; unescape undoes it
				continue
			}
			return buf, nil
		}
		buf = append(buf, c)
	}
}

// UnescapeSQL undoes MariaDB's string escapes, and the doubled quote q, in
// the body of a quoted literal (without its quotes).
func UnescapeSQL(b []byte, q byte) []byte { return unescape(b, q) }

// unescape undoes MariaDB's string escapes, and the doubled quote q.
func unescape(b []byte, q byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, q) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == q && i+1 < len(b) && b[i+1] == q {
			out = append(out, q)
			i++
			continue
		}
		if c != '\\' || i+1 == len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch b[i] {
		case '0':
			out = append(out, 0)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'Z':
			out = append(out, 26)
		case '%', '_':
			out = append(out, '\\', b[i]) // kept as is by the server too
		default:
			out = append(out, b[i])
		}
	}
	return out
}

// escape writes b as mysql_real_escape_string does.
func escape(w *bufio.Writer, b []byte) {
	for _, c := range b {
		switch c {
		case 0:
			w.WriteString(`\0`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\\':
			w.WriteString(`\\`)
		case '\'':
			w.WriteString(`\'`)
		case '"':
			w.WriteString(`\"`)
		case 26:
			w.WriteString(`\Z`)
		default:
			w.WriteByte(c)
		}
	}
}
