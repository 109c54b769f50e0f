//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// initFlags build wpstack-init as the Makefile does (reproducibly), so the
// copy the tests build is byte for byte the one `make build` embeds.
var initFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags", "-s -w"}

var (
	initOnce sync.Once
	initPath string
	initErr  error
)

// initBinary returns a wpstack-init built once per test binary run.
func initBinary(t testing.TB) string {
	t.Helper()
	initOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wpstack-e2e-init")
		if err != nil {
			initErr = err
			return
		}
		initPath, initErr = buildInit(dir)
	})
	if initErr != nil {
		t.Fatal(initErr)
	}
	return initPath
}

// buildInit compiles cmd/wpstack-init into dir/wpstack-init, where a CLI
// built without the embedding tag looks for it.
func buildInit(dir string) (string, error) {
	out := filepath.Join(dir, "wpstack-init")
	cmd := exec.Command("go", append(append([]string{"build"}, initFlags...), "-o", out, "../../cmd/wpstack-init")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build wpstack-init: %v\n%s", err, b)
	}
	return out, nil
}
