package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// partialPrefix marks a backup being written: never listed, never complete.
const partialPrefix = ".partial-"

// WriteFileAtomic writes path through fill: to a hidden temporary name in the
// same folder, fsynced, then renamed, so an interrupted write (Ctrl-C, kill -9,
// a full disk) never leaves a file under the final name. It returns the
// file's size and SHA-256.
func WriteFileAtomic(path string, fill func(w io.Writer) error) (int64, string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if _, err := os.Stat(path); err == nil {
		return 0, "", fmt.Errorf("%s already exists: choose another name with -o, or remove it first", path)
	}
	f, err := os.CreateTemp(dir, partialPrefix+base+"-*")
	if err != nil {
		return 0, "", fmt.Errorf("create the backup file in %s: %w", dir, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return 0, "", err
	}
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, sum)}
	if err := fill(cw); err != nil {
		return 0, "", err
	}
	if err := f.Sync(); err != nil {
		return 0, "", fmt.Errorf("flush %s to disk: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return 0, "", fmt.Errorf("close %s: %w", tmp, err)
	}
	// Link fails if the name appeared meanwhile, where rename would replace it.
	if err := os.Link(tmp, path); err != nil {
		return 0, "", fmt.Errorf("name the backup %s: %w", path, err)
	}
	ok = true
	os.Remove(tmp)
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the new name durable
		d.Close()
	}
	return cw.n, hex.EncodeToString(sum.Sum(nil)), nil
}

// IsPartial says whether a file name is a backup still being written (or
// one whose writer died).
func IsPartial(name string) bool { return strings.HasPrefix(filepath.Base(name), partialPrefix) }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// FileSHA256 hashes a whole file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
