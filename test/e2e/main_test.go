//go:build e2e

// Package e2e runs wpstack against a real Docker engine, real MariaDB and
// real HTTP to WordPress. Nothing is faked; with no engine the suite fails.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// TestMain refuses to run without an engine: an e2e suite that cannot run
// must fail loudly, never pass by skipping. Around the tests a guard site
// runs on the test engine, as a user's site would; the run fails if it no
// longer serves at the end, or if the engine's swarm state changed.
func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		_, err = cli.Ping(ctx)
	}
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: e2e needs a Docker engine and none answers: %v\n  run scripts/setup.sh (make setup) first\n", err)
		os.Exit(1)
	}
	cli.Close()
	bin, err := buildBinary()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		os.Exit(1)
	}
	g, err := startGuard(bin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the guard site: %v\n", err)
		if g != nil {
			g.remove()
		}
		os.Exit(1)
	}
	guard = g
	code := m.Run()
	if err := g.check(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the suite broke the test engine for everyone on it: %v\n", err)
		code = 1
	} else {
		fmt.Fprintf(os.Stderr, "guard site %s served through the whole run; swarm state still %q\n", g.name, g.swarm)
	}
	g.remove()
	os.Exit(code)
}

// wpstackBinary returns the binary under test: $WPSTACK_BIN (make e2e sets
// it), else one built once into a temp dir.
func wpstackBinary(t testing.TB) string {
	t.Helper()
	p, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func buildBinary() (string, error) {
	binOnce.Do(func() {
		if p := os.Getenv("WPSTACK_BIN"); p != "" {
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "wpstack-e2e-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "wpstack")
		cmd := exec.Command("go", "build", "-o", binPath, "../../cmd/wpstack")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build wpstack: %v\n%s", err, out)
			return
		}
		// Built without the embedding tag, it finds its PID 1 program next to it.
		_, binErr = buildInit(dir)
	})
	return binPath, binErr
}
