package container

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// environ is the environment handed to the service. It is a value passed
// around rather than os.Setenv calls, so each step's effect is visible.
type environ map[string]string

func environFromOS() environ {
	return parseEnviron(os.Environ())
}

func parseEnviron(kv []string) environ {
	e := make(environ, len(kv))
	for _, s := range kv {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			continue
		}
		e[k] = v
	}
	return e
}

// list returns the environment in NAME=value form, sorted for stable output.
func (e environ) list() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// with returns a copy of e with the extra variables set over it.
func (e environ) with(extra map[string]string) environ {
	out := make(environ, len(e)+len(extra))
	for k, v := range e {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// lookup returns the value of name, read from the file named by name_FILE
// when only that is set. Trailing newlines of the file are dropped, as the
// official images' $(< file) does; other whitespace is kept (it may be part
// of a password).
func (e environ) lookup(name string) (string, bool, error) {
	v, direct := e[name]
	path, viaFile := e[name+"_FILE"]
	switch {
	case direct && viaFile:
		return "", false, fmt.Errorf("both %s and %s_FILE are set: keep only one", name, name)
	case direct:
		return v, true, nil
	case viaFile:
		b, err := os.ReadFile(path)
		if err != nil {
			return "", false, fmt.Errorf("read %s_FILE: %w", name, err)
		}
		return strings.TrimRight(string(b), "\r\n"), true, nil
	}
	return "", false, nil
}

// first looks up each name in turn (e.g. MARIADB_X, then MYSQL_X) and
// returns the first one set, with the name that matched.
func (e environ) first(names ...string) (value, name string, err error) {
	for _, n := range names {
		v, ok, err := e.lookup(n)
		if err != nil {
			return "", n, err
		}
		if ok {
			return v, n, nil
		}
	}
	return "", "", nil
}
