package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpstack/wpstack/internal/atomicfile"
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
	sum := sha256.New()
	var cw *countWriter
	err := atomicfile.WriteWith(path, atomicfile.Options{Mode: 0o600, TempPattern: partialPrefix + base + "-*", NoReplace: true},
		func(w io.Writer) error {
			cw = &countWriter{w: io.MultiWriter(w, sum)}
			return fill(cw)
		})
	if err != nil {
		return 0, "", err
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
