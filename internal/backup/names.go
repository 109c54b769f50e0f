package backup

import (
	"strings"

	"github.com/wpstack/wpstack/internal/site"
)

const (
	dbName = site.DefaultDBName
	dbUser = site.DefaultDBUser
)

// SafeIdent says whether s is a plain SQL identifier: letters, digits and
// underscores only, so it can go into a statement unquoted.
func SafeIdent(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func safeIdent(s string) bool { return SafeIdent(s) }

// OptionValue quotes s for a MariaDB option file ("[client]" sections), so
// no value can end its line or add an option of its own.
func OptionValue(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
