package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/wpstack/wpstack/internal/backup"
)

// ErrNotDump is wrapped when the input is not a plain SQL dump.
var ErrNotDump = errors.New("not an SQL dump")

// Decompress returns the plain dump behind r, which may be gzip or
// zstd compressed; the format is told by its magic bytes, not its name.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read the dump: %w", err)
	}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read the gzip dump: %w", err)
		}
		return gz, nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// The decoder's window is bounded so a hostile frame cannot ask
		// for gigabytes of memory.
		zr, err := zstd.NewReader(br, zstd.WithDecoderMaxWindow(128<<20), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("read the zstd dump: %w", err)
		}
		return zr.IOReadCloser(), nil
	}
	return io.NopCloser(br), nil
}

// DumpFacts is what a scan of a dump found.
type DumpFacts struct {
	Prefix    string `json:"table_prefix"`
	Charset   string `json:"charset"`
	Collation string `json:"collation"`
	SiteURL   string `json:"siteurl"`
	Home      string `json:"home"`
	DBVersion string `json:"db_version"`
	Tables    int    `json:"tables"`
	Posts     int    `json:"posts"`
	Users     int    `json:"users"`
	Bytes     int64  `json:"dump_bytes"`
}

// tableInfo is gathered per table while scanning, before the prefix is known.
type tableInfo struct {
	charset, collation string
	options            map[string]string
	rows, posts        int
}

// scanner reads a dump statement by statement and writes the statements
// it keeps to out.
type scanner struct {
	r      *bufio.Reader
	out    io.Writer
	max    int
	tables map[string]*tableInfo
	order  []string
	stmt   []byte
	n      int64
}

// allowed are the statements a mysqldump or mariadb-dump output holds. A
// dump with anything else (users, grants, routines) is refused: a site's
// database needs none of it, and it would run with the site's privileges.
var allowed = map[string]bool{
	"SET": true, "DROP": true, "CREATE": true, "INSERT": true, "REPLACE": true,
	"LOCK": true, "UNLOCK": true, "ALTER": true, "START": true, "COMMIT": true,
	"BEGIN": true,
}

// dropped are statements that would leave the site's database: they are
// removed (the import runs in the site's own database).
func dropped(kw, second string) bool {
	return kw == "USE" || (kw == "CREATE" || kw == "DROP") && (second == "DATABASE" || second == "SCHEMA")
}

// ScanDump copies the dump read from r to out, keeping every statement
// but USE and CREATE/DROP DATABASE, and returns what it found. It refuses
// input that is not a dump, a statement over max bytes, and a dump that
// ends inside a statement (a truncated file).
func ScanDump(r io.Reader, out io.Writer, max int) (DumpFacts, error) {
	s := &scanner{r: bufio.NewReaderSize(r, 256<<10), out: out, max: max, tables: map[string]*tableInfo{}}
	if err := s.run(); err != nil {
		return DumpFacts{}, err
	}
	return s.facts()
}

func (s *scanner) run() error {
	// A binary file is told apart at once rather than after streaming it.
	head, _ := s.r.Peek(4096)
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%w: the file holds binary data (give a plain, .gz or .zst dump as mysqldump or mariadb-dump writes it)", ErrNotDump)
	}
	for {
		done, err := s.next()
		if err != nil {
			return err
		}
		if len(s.stmt) > 0 {
			if err := s.handle(); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
	}
}

// next reads one statement, up to and including its ';', into s.stmt. At
// the end of the input it returns done; text left over that is not only
// comments and space is a statement cut short.
func (s *scanner) next() (done bool, err error) {
	s.stmt = s.stmt[:0]
	if cap(s.stmt) > 4<<20 {
		s.stmt = nil
	}
	for {
		c, err := s.r.ReadByte()
		if errors.Is(err, io.EOF) {
			if kw, _ := keywords(s.stmt); kw != "" {
				return true, fmt.Errorf("the dump ends inside a statement (%s …): the file is truncated; make the dump again", kw)
			}
			return true, nil
		}
		if err != nil {
			return true, fmt.Errorf("read the dump: %w", err)
		}
		s.n++
		s.stmt = append(s.stmt, c)
		if len(s.stmt) > s.max {
			return true, fmt.Errorf("the dump holds a %w (over %d MiB): refusing it", backup.ErrStatementTooLarge, s.max>>20)
		}
		switch {
		case c == '\'' || c == '"' || c == '`':
			if err := s.quoted(c); err != nil {
				return true, err
			}
		case c == '#' || (c == '-' && s.peekIs('-')):
			if err := s.lineComment(); err != nil {
				return true, err
			}
			continue
		case c == '/' && s.peekIs('*'):
			if err := s.blockComment(); err != nil {
				return true, err
			}
		case c == ';':
			return false, nil
		}
	}
}

func (s *scanner) peekIs(b byte) bool {
	p, _ := s.r.Peek(1)
	return len(p) == 1 && p[0] == b
}

func (s *scanner) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("the dump ends inside a string, name or comment: the file is truncated; make the dump again: %w", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return 0, fmt.Errorf("read the dump: %w", err)
	}
	s.n++
	s.stmt = append(s.stmt, c)
	if len(s.stmt) > s.max {
		return 0, fmt.Errorf("the dump holds a %w (over %d MiB): refusing it", backup.ErrStatementTooLarge, s.max>>20)
	}
	return c, nil
}

// quoted copies a literal or identifier to its closing quote.
func (s *scanner) quoted(q byte) error {
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		switch {
		case c == '\\' && q != '`':
			if _, err := s.readByte(); err != nil {
				return err
			}
		case c == q:
			if !s.peekIs(q) {
				return nil
			}
			if _, err := s.readByte(); err != nil {
				return err
			}
		}
	}
}

func (s *scanner) lineComment() error {
	for {
		c, err := s.r.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the dump: %w", err)
		}
		s.n++
		s.stmt = append(s.stmt, c)
		if len(s.stmt) > s.max {
			return fmt.Errorf("the dump holds a %w (over %d MiB): refusing it", backup.ErrStatementTooLarge, s.max>>20)
		}
		if c == '\n' {
			return nil
		}
	}
}

func (s *scanner) blockComment() error {
	if _, err := s.readByte(); err != nil { // the opening '*'
		return err
	}
	prev := byte(0)
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		if prev == '*' && c == '/' {
			return nil
		}
		prev = c
	}
}

// keywords returns the first two words of a statement, upper-cased,
// looking inside executable comments (/*!40101 SET … */) and skipping
// plain ones.
func keywords(stmt []byte) (string, string) {
	var words []string
	b := stmt
	for len(words) < 2 && len(b) > 0 {
		switch {
		case b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r' || b[0] == ';':
			b = b[1:]
		case b[0] == '#' || bytes.HasPrefix(b, []byte("--")):
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				return first(words)
			}
			b = b[i+1:]
		case bytes.HasPrefix(b, []byte("/*!")) || bytes.HasPrefix(b, []byte("/*M!")):
			b = b[bytes.IndexByte(b, '!')+1:]
			for len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
				b = b[1:]
			}
			if bytes.HasPrefix(b, []byte(`\-`)) { // mariadb-dump's sandbox marker
				i := bytes.Index(b, []byte("*/"))
				if i < 0 {
					return first(words)
				}
				b = b[i+2:]
			}
		case bytes.HasPrefix(b, []byte("*/")):
			b = b[2:]
		case bytes.HasPrefix(b, []byte("/*")):
			i := bytes.Index(b[2:], []byte("*/"))
			if i < 0 {
				return first(words)
			}
			b = b[i+4:]
		default:
			j := 0
			for j < len(b) && (b[j] >= 'A' && b[j] <= 'Z' || b[j] >= 'a' && b[j] <= 'z' || b[j] == '_' || b[j] == '@') {
				j++
			}
			if j == 0 {
				words = append(words, string(b[:1]))
				return first(words)
			}
			words = append(words, strings.ToUpper(string(b[:j])))
			b = b[j:]
		}
	}
	return first(words)
}

func first(w []string) (string, string) {
	switch len(w) {
	case 0:
		return "", ""
	case 1:
		return w[0], ""
	}
	return w[0], w[1]
}

func (s *scanner) handle() error {
	kw, second := keywords(s.stmt)
	switch {
	case kw == "":
		_, err := s.out.Write(s.stmt) // comments and space
		return err
	case dropped(kw, second):
		_, err := io.WriteString(s.out, "\n-- (a statement naming another database was left out: the import goes into the site's own)\n")
		return err
	case !allowed[kw]:
		if len(s.tables) == 0 {
			return fmt.Errorf("%w: it starts with %q where a mysqldump or mariadb-dump output has SET, DROP or CREATE TABLE statements", ErrNotDump, printable(kw))
		}
		return fmt.Errorf("the dump holds a %s %s statement: an import takes only tables and their rows (make the dump with mysqldump or mariadb-dump of the site's database alone)", printable(kw), printable(second))
	case kw == "CREATE" && second == "TABLE":
		s.stmt = mysql8Collations(s.stmt)
		if err := s.createTable(); err != nil {
			return err
		}
	case kw == "SET":
		s.stmt = mysql8Collations(s.stmt)
	case kw == "INSERT" || kw == "REPLACE":
		if err := s.insert(); err != nil {
			return err
		}
	}
	_, err := s.out.Write(s.stmt)
	return err
}

// createTable records a table, its charset and its collation.
func (s *scanner) createTable() error {
	name, rest, ok := tableName(s.stmt, "TABLE")
	if !ok {
		return fmt.Errorf("the dump holds a CREATE TABLE statement whose table name cannot be read")
	}
	if _, dup := s.tables[name]; !dup {
		s.order = append(s.order, name)
	}
	ti := &tableInfo{options: map[string]string{}}
	s.tables[name] = ti
	// Table options follow the last ')' of the column list.
	tail := rest
	if i := bytes.LastIndexByte(rest, ')'); i >= 0 {
		tail = rest[i:]
	}
	ti.charset = optionValue(tail, "CHARSET")
	if ti.charset == "" {
		ti.charset = optionValue(tail, "CHARACTER SET")
	}
	ti.collation = optionValue(tail, "COLLATE")
	return nil
}

// tableName finds the backquoted (or bare) name after word (TABLE, INTO),
// skipping IF NOT EXISTS.
func tableName(stmt []byte, word string) (string, []byte, bool) {
	up := bytes.ToUpper(stmt)
	i := bytes.Index(up, []byte(word))
	if i < 0 {
		return "", nil, false
	}
	b := stmt[i+len(word):]
	b = bytes.TrimLeft(b, " \t\r\n")
	if bytes.HasPrefix(bytes.ToUpper(b), []byte("IF NOT EXISTS")) {
		b = bytes.TrimLeft(b[len("IF NOT EXISTS"):], " \t\r\n")
	}
	if len(b) > 0 && b[0] == '`' {
		j := bytes.IndexByte(b[1:], '`')
		if j < 0 || j > 64 {
			return "", nil, false
		}
		return string(b[1 : j+1]), b[j+2:], true
	}
	j := 0
	for j < len(b) && j <= 64 && (b[j] >= 'A' && b[j] <= 'Z' || b[j] >= 'a' && b[j] <= 'z' || b[j] >= '0' && b[j] <= '9' || b[j] == '_' || b[j] == '$') {
		j++
	}
	if j == 0 || j > 64 {
		return "", nil, false
	}
	return string(b[:j]), b[j:], true
}

// optionValue reads KEY=value (or KEY value) from a table's options.
func optionValue(tail []byte, key string) string {
	up := bytes.ToUpper(tail)
	i := bytes.Index(up, []byte(key))
	for i >= 0 {
		b := bytes.TrimLeft(tail[i+len(key):], " =")
		j := 0
		for j < len(b) && (b[j] >= 'A' && b[j] <= 'Z' || b[j] >= 'a' && b[j] <= 'z' || b[j] >= '0' && b[j] <= '9' || b[j] == '_') {
			j++
		}
		if j > 0 {
			return string(b[:j])
		}
		k := bytes.Index(up[i+len(key):], []byte(key))
		if k < 0 {
			break
		}
		i += len(key) + k
	}
	return ""
}

// The columns an import reads, in the order WordPress's schema has them
// (a dump without a column list writes every column in that order).
var (
	optionCols = map[string]int{"option_name": 1, "option_value": 2}
	postCols   = map[string]int{"post_status": 7, "post_type": 20}
)

// insert counts the rows of users and posts tables and reads the options
// an import needs (siteurl, home, db_version) from options tables.
func (s *scanner) insert() error {
	name, rest, ok := tableName(s.stmt, "INTO")
	if !ok {
		return nil
	}
	ti := s.tables[name]
	if ti == nil {
		return nil // rows of a table the dump did not create: the server says so
	}
	var want map[string]int
	switch {
	case strings.HasSuffix(name, "options"):
		want = map[string]int{"option_name": optionCols["option_name"], "option_value": optionCols["option_value"]}
	case strings.HasSuffix(name, "posts"):
		want = map[string]int{"post_status": postCols["post_status"], "post_type": postCols["post_type"]}
	case strings.HasSuffix(name, "users"):
	default:
		return nil
	}
	rows, err := parseRows(rest, want)
	if err != nil {
		return fmt.Errorf("read the rows of %s: %w", printable(name), err)
	}
	for _, row := range rows {
		ti.rows++
		switch {
		case strings.HasSuffix(name, "options"):
			switch n := row["option_name"]; n {
			case "siteurl", "home", "db_version":
				ti.options[n] = row["option_value"]
			}
		case strings.HasSuffix(name, "posts"):
			if row["post_type"] == "post" && row["post_status"] == "publish" {
				ti.posts++
			}
		}
	}
	return nil
}

// facts picks the prefix: the one whose options, users and posts tables
// the dump holds (the shortest, when several do: a multisite's subsites
// use the main prefix plus a number).
func (s *scanner) facts() (DumpFacts, error) {
	if len(s.tables) == 0 {
		return DumpFacts{}, fmt.Errorf("%w: it creates no table (give the output of mysqldump or mariadb-dump of the site's database)", ErrNotDump)
	}
	var prefix string
	found := false
	var partial []string
	for _, name := range s.order {
		if !strings.HasSuffix(name, "options") {
			continue
		}
		p := strings.TrimSuffix(name, "options")
		_, users := s.tables[p+"users"]
		_, posts := s.tables[p+"posts"]
		if users && posts {
			if !found || len(p) < len(prefix) {
				prefix, found = p, true
			}
			continue
		}
		partial = append(partial, name)
	}
	if !found {
		if len(partial) > 0 {
			return DumpFacts{}, fmt.Errorf("the dump has the table %s but not %susers and %sposts with the same prefix: it is not a whole WordPress database (a prefix mismatch, or a partial dump); dump every table of the site", printable(partial[0]), printable(strings.TrimSuffix(partial[0], "options")), printable(strings.TrimSuffix(partial[0], "options")))
		}
		return DumpFacts{}, fmt.Errorf("the dump has %d tables but no WordPress options, users and posts tables (e.g. wp_options, wp_users, wp_posts): is it a WordPress database?", len(s.tables))
	}
	if !backup.SafeIdent(prefix) {
		return DumpFacts{}, fmt.Errorf("the dump's table prefix %q is not one wpstack can configure (letters, digits and '_' only)", printable(prefix))
	}
	opt := s.tables[prefix+"options"]
	f := DumpFacts{
		Prefix: prefix, Charset: opt.charset, Collation: opt.collation,
		SiteURL: opt.options["siteurl"], Home: opt.options["home"], DBVersion: opt.options["db_version"],
		Tables: len(s.tables), Posts: s.tables[prefix+"posts"].posts, Users: s.tables[prefix+"users"].rows, Bytes: s.n,
	}
	if f.Charset == "" {
		f.Charset = "utf8mb4"
	}
	if f.Collation == "" {
		f.Collation = defaultCollation(f.Charset)
	}
	if !backup.SafeIdent(f.Charset) || !backup.SafeIdent(f.Collation) {
		return DumpFacts{}, fmt.Errorf("the dump's charset %q / collation %q cannot be used", printable(f.Charset), printable(f.Collation))
	}
	return f, nil
}

// MySQL 8's default collations, which MariaDB does not know, and the
// closest MariaDB has (what WordPress itself picks on MariaDB).
var mysql8 = [][2]string{
	{"utf8mb4_0900_ai_ci", "utf8mb4_unicode_520_ci"},
	{"utf8mb4_0900_as_ci", "utf8mb4_unicode_520_ci"},
	{"utf8mb4_0900_as_cs", "utf8mb4_bin"},
	{"utf8mb4_0900_bin", "utf8mb4_bin"},
}

// mysql8Collations rewrites MySQL 8 collations in a table definition or a
// SET statement, so a dump of a mysql:8 site loads into MariaDB.
func mysql8Collations(stmt []byte) []byte {
	for _, m := range mysql8 {
		if bytes.Contains(stmt, []byte(m[0])) {
			stmt = bytes.ReplaceAll(stmt, []byte(m[0]), []byte(m[1]))
		}
	}
	return stmt
}

func defaultCollation(charset string) string {
	switch charset {
	case "utf8mb4":
		return "utf8mb4_general_ci"
	case "utf8", "utf8mb3":
		return "utf8mb3_general_ci"
	case "latin1":
		return "latin1_swedish_ci"
	}
	return charset + "_general_ci"
}

// printable keeps text from a hostile dump from driving the terminal.
func printable(s string) string {
	const max = 80
	var b strings.Builder
	for i, r := range s {
		if i >= max {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
