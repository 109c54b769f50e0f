package wpsource

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// cache keeps unpacked trees under dir/<key>/tree with meta.json beside,
// so a warm run neither downloads, unpacks nor rehashes.
type cache struct{ dir string }

type meta struct {
	Kind        Kind   `json:"kind"`
	Version     string `json:"version"`
	Hash        string `json:"hash"`
	Description string `json:"description"`
}

// DefaultCacheDir is $XDG_CACHE_HOME/wpstack (or ~/.cache/wpstack).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache folder: %w; set CacheDir or $XDG_CACHE_HOME", err)
	}
	return filepath.Join(d, "wpstack"), nil
}

func (c cache) lookup(key string) (Source, bool) {
	b, err := os.ReadFile(filepath.Join(c.dir, key, "meta.json"))
	if err != nil {
		return Source{}, false
	}
	var m meta
	if json.Unmarshal(b, &m) != nil || m.Hash == "" {
		return Source{}, false
	}
	return Source{Dir: filepath.Join(c.dir, key, "tree"), Kind: m.Kind, Version: m.Version, Hash: m.Hash, Description: m.Description, Cached: true}, true
}

// store runs fill on a fresh temporary folder (fill must leave the tree in
// tmp/tree), reads the version, hashes the tree, and renames the result into
// place, so a crash or a concurrent run never leaves a half-written entry.
// describe turns the version into the human description.
func (c cache) store(key string, kind Kind, fill func(tmp string) error, describe func(version string) string) (Source, error) {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return Source{}, fmt.Errorf("create cache folder %s: %w", c.dir, err)
	}
	tmp, err := os.MkdirTemp(c.dir, ".tmp-"+key+"-")
	if err != nil {
		return Source{}, fmt.Errorf("create temporary folder in %s: %w", c.dir, err)
	}
	defer os.RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return Source{}, err
	}
	tree := filepath.Join(tmp, "tree")
	version, err := ReadVersion(tree)
	if err != nil {
		return Source{}, err
	}
	hash, err := HashTree(tree)
	if err != nil {
		return Source{}, err
	}
	m := meta{Kind: kind, Version: version, Hash: hash, Description: describe(version)}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, "meta.json"), b, 0o644); err != nil {
		return Source{}, fmt.Errorf("write cache metadata: %w", err)
	}
	final := filepath.Join(c.dir, key)
	if err := os.Rename(tmp, final); err != nil {
		// Another process may have stored the same key first; theirs is as good.
		if s, ok := c.lookup(key); ok {
			return s, nil
		}
		if errors.Is(err, fs.ErrExist) || isNotEmpty(err) {
			return Source{}, fmt.Errorf("cache entry %s exists but is incomplete; remove it and retry: %w", final, err)
		}
		return Source{}, fmt.Errorf("move WordPress tree into the cache at %s: %w", final, err)
	}
	s, _ := c.lookup(key)
	s.Cached = false
	return s, nil
}

func isNotEmpty(err error) bool {
	var le *os.LinkError
	return errors.As(err, &le) && le.Err != nil && le.Err.Error() == "directory not empty"
}
