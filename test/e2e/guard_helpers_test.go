//go:build e2e

package e2e

// The guard site stands for the sites a user has on the test engine: it is
// made before the first test and must still serve after the last. A test
// that makes the engine a swarm and leaves it (on 20.10 that empties the
// embedded DNS of every running container), restarts it or removes what is
// not its own breaks the guard, and the run fails with the guard's logs.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

type guardSite struct {
	bin, home, name, title string
	port                   int
	swarm                  string   // the engine's swarm state at the start
	images                 []string // base, web and db images the site runs
}

// guard is set once by TestMain before any test runs, and only read after.
var guard *guardSite

// guardImages are the images a lab engine needs to run this binary's sites.
func guardImages() []string {
	if guard == nil {
		return nil
	}
	return guard.images
}

func (g *guardSite) wpstack(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, g.bin, append(args, "--progress", "plain")...)
	cmd.Env = append(os.Environ(), "WPSTACK_HOME="+g.home)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func swarmState(ctx context.Context) (string, error) {
	out, err := clDocker(ctx, nil, "info", "--format", "{{.Swarm.LocalNodeState}}")
	if err != nil {
		return "", fmt.Errorf("docker info: %v: %s", err, out)
	}
	return out, nil
}

func startGuard(bin string) (*guardSite, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	home, err := os.MkdirTemp("", "wpt-h-guard-")
	if err != nil {
		return nil, err
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	g := &guardSite{bin: bin, home: home, name: "e2e-guard-" + hex.EncodeToString(b), port: port}
	g.title = "Guard " + g.name
	if g.swarm, err = swarmState(ctx); err != nil {
		return g, err
	}
	start := time.Now()
	if out, err := g.wpstack(ctx, "up", g.name, "--port", fmt.Sprint(port), "--title", g.title, "--wordpress-source", "debian"); err != nil {
		return g, fmt.Errorf("wpstack up %s: %v\n%s", g.name, err, out)
	}
	g.images = []string{clBaseTag, clTrixieBaseTag}
	for _, svc := range []string{"web", "db"} {
		ref, err := clDocker(ctx, nil, "inspect", "-f", "{{.Config.Image}}", g.name+"-"+svc+"-1")
		if err != nil {
			return g, fmt.Errorf("image of the guard's %s: %v: %s", svc, err, ref)
		}
		g.images = append(g.images, ref)
	}
	if err := g.serves(ctx); err != nil {
		return g, err
	}
	fmt.Fprintf(os.Stderr, "guard site %s up on port %d in %s (engine swarm state %q)\n", g.name, port, time.Since(start).Round(100*time.Millisecond), g.swarm)
	return g, nil
}

// serves asks the home page and the page behind the database (a post
// list) and wants the title back: a site whose db no longer resolves
// answers 500 there.
func (g *guardSite) serves(ctx context.Context) error {
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var last error
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/", g.port), nil)
		req.Host = fmt.Sprintf("localhost:%d", g.port)
		resp, err := c.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), g.title) {
				return nil
			}
			err = fmt.Errorf("GET / answered %s: %.300s", resp.Status, body)
		}
		last = err
		time.Sleep(2 * time.Second)
	}
	return fmt.Errorf("guard site %s does not serve: %w", g.name, last)
}

// check says what changed on the test engine during the run.
func (g *guardSite) check() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var errs []error
	if st, err := swarmState(ctx); err != nil {
		errs = append(errs, err)
	} else if st != g.swarm {
		errs = append(errs, fmt.Errorf("the test engine's swarm state was %q at the start and is %q now: a test joined or left a swarm on it", g.swarm, st))
	}
	if err := g.serves(ctx); err != nil {
		logs, _ := g.wpstack(ctx, "logs", g.name, "--tail", "60")
		errs = append(errs, fmt.Errorf("%w\nits logs:\n%s", err, logs))
	}
	return errors.Join(errs...)
}

func (g *guardSite) remove() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := g.wpstack(ctx, "destroy", g.name, "--yes"); err != nil {
		fmt.Fprintf(os.Stderr, "destroy the guard site %s: %v\n%s", g.name, err, out)
	}
	_ = os.RemoveAll(g.home)
}
