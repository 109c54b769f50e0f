package container

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// parseEnvvars reads the `export NAME=value` lines of Debian's
// /etc/apache2/envvars, which apache2ctl would source, expanding $NAME and
// ${NAME} from earlier lines, then from outer. Other shell (if blocks,
// unset, comments) is skipped: the lines that matter are plain exports.
func parseEnvvars(r io.Reader, outer func(string) string) (map[string]string, error) {
	vars := map[string]string{}
	lookup := func(name string) string {
		if v, ok := vars[name]; ok {
			return v
		}
		if outer != nil {
			return outer(name)
		}
		return ""
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimSpace(rest), "=")
		if !ok || !validEnvName(name) {
			continue
		}
		if len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'' {
			vars[name] = value[1 : len(value)-1]
			continue
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		vars[name] = os.Expand(value, lookup)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read apache envvars: %w", err)
	}
	return vars, nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
