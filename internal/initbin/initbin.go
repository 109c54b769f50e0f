// Package initbin finds wpstack-init, the PID 1 program copied into every
// image (cmd/wpstack-init), for the CLI that builds the images.
//
// `make build` compiles wpstack-init first, into this folder, and then the
// CLI with the build tag wpstack_embed_init, which embeds it (embed.go): the
// user installs one file. A CLI built without the tag (`go build ./...`,
// `go test ./...`, `go vet ./...` need no prior step) looks for
// wpstack-init next to its own executable instead, where the e2e helper
// puts one. The compiled program is never in git (.gitignore).
package initbin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/contract"
)

// EnvOverride names a wpstack-init to use instead of the one the CLI
// carries (a development build, or the bench's cold runs, which need an
// image hash never seen before).
const EnvOverride = "WPSTACK_INIT"

// Path returns a host path holding wpstack-init: $WPSTACK_INIT when set,
// else the embedded program, written once under cacheDir (named by its
// hash), else the file next to this executable.
func Path(cacheDir string) (string, error) {
	if p := os.Getenv(EnvOverride); p != "" {
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return "", fmt.Errorf("$%s=%s is not a file: unset it to use the %s this wpstack carries", EnvOverride, p, contract.InitName)
		}
		return p, nil
	}
	if b := embedded(); len(b) > 0 {
		return fromEmbedded(b, cacheDir)
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find %s: locate this executable: %w", contract.InitName, err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	p := filepath.Join(filepath.Dir(exe), contract.InitName)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p, nil
	}
	return "", fmt.Errorf("this wpstack carries no %s (the PID 1 program of its images) and finds none at %s: build wpstack with `make build`, or put a static linux build of ./cmd/%s there",
		contract.InitName, p, contract.InitName)
}

// Embedded says whether this build carries wpstack-init itself.
func Embedded() bool { return len(embedded()) > 0 }

func fromEmbedded(b []byte, cacheDir string) (string, error) {
	if cacheDir == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("write %s: find the user cache folder: %w; set $XDG_CACHE_HOME", contract.InitName, err)
		}
		cacheDir = filepath.Join(d, "wpstack")
	}
	sum := sha256.Sum256(b)
	dir := filepath.Join(cacheDir, "init", hex.EncodeToString(sum[:]))
	p := filepath.Join(dir, contract.InitName)
	// A copy is reused only if it is byte for byte the embedded one.
	if have, err := os.ReadFile(p); err == nil && bytes.Equal(have, b) {
		return p, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if err := atomicfile.Write(p, b, 0o755); err != nil {
		return "", err
	}
	return p, nil
}
