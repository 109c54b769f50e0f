package wpsource

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// resolveArchive unpacks a local archive; the cache key is the archive's own
// sha256, so the same file is unpacked once.
func resolveArchive(c cache, archive string) (Source, error) {
	sum, err := fileSHA256(archive)
	if err != nil {
		return Source{}, err
	}
	key := "archive-" + sum[:24]
	if s, ok := c.lookup(key); ok {
		return s, nil
	}
	return c.store(key, KindArchive, func(tmp string) error {
		return unpackArchive(archive, filepath.Join(tmp, "tree"))
	}, func(v string) string {
		return fmt.Sprintf("local archive %s (WordPress %s, sha256 %s)", archive, v, sum[:12])
	})
}

// resolveFolder uses a local tree in place: it is the user's, so nothing is
// cached beside it and it is hashed on every run.
func resolveFolder(dir string) (Source, error) {
	v, err := ReadVersion(dir)
	if err != nil {
		return Source{}, err
	}
	h, err := HashTree(dir)
	if err != nil {
		return Source{}, err
	}
	return Source{Dir: dir, Kind: KindFolder, Version: v, Hash: h, Description: fmt.Sprintf("local folder %s (WordPress %s)", dir, v)}, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("read WordPress archive: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read WordPress archive %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
