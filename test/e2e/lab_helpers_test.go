//go:build e2e

package e2e

// A lab engine is a throwaway Docker engine in a Docker-in-Docker container
// (the cluster's node image), reached over tcp:// on its own network. What
// would change an engine for everyone (swarm init, an engine restart) runs
// there, never on the test engine, which other people's sites share.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const labLabel = "io.wpstack.e2e.lab"

type lab struct {
	t                  *testing.T
	run, name, network string
	ip                 string
}

// host is the DOCKER_HOST value that reaches the lab's engine.
func (l *lab) host() string { return "tcp://" + l.ip + ":2375" }

// labDockerdArgs are the lab engine's dockerd flags: a tcp listener (so
// wpstack reaches published ports at the lab's address) and the host's
// resolvers (image builds need Debian's mirror).
func labDockerdArgs() []string {
	args := []string{"-H", "unix:///var/run/docker.sock", "-H", "tcp://0.0.0.0:2375"}
	for _, ns := range hostNameservers() {
		args = append(args, "--dns", ns)
	}
	return args
}

// labNetwork builds the node image and makes a network of its own for a
// lab, labelled so that a killed run's leftovers are found by label.
func labNetwork(t *testing.T) (run, network string) {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	run = "wpt-l-" + hex.EncodeToString(b)
	network = run + "-net"
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if out, err := clDocker(ctx, nil, "build", "-q", "--build-arg", "BASE="+clBaseTag, "-t", clImgNode, "testdata/swarmnode"); err != nil {
		t.Fatalf("build the lab engine image: %v\n%s", err, out)
	}
	if out, err := clDocker(ctx, nil, "network", "create", "--label", labLabel+"="+run, network); err != nil {
		t.Fatalf("lab network: %v\n%s", err, out)
	}
	t.Cleanup(func() { labRemove(t, run) })
	return run, network
}

// startLab starts a lab engine and loads into it the images this binary's
// sites run (base, web, db: the guard site built them on the test engine),
// so nothing is pulled and only what is missing is built there. binds are
// host folders mounted at the same path in the lab: a local site binds its
// secrets from $WPSTACK_HOME, a path the engine must see.
func startLab(t *testing.T, binds ...string) *lab {
	t.Helper()
	run, network := labNetwork(t)
	l := &lab{t: t, run: run, network: network, name: run + "-engine"}
	args := append([]string{"run", "-d", "--name", l.name, "--hostname", l.name,
		"--label", labLabel + "=" + run, "--network", network,
		"--mount", "type=volume,source=" + l.name + "-docker,target=/var/lib/docker,volume-label=" + labLabel + "=" + run},
		clNodeFlags...)
	for _, b := range binds {
		args = append(args, "-v", b+":"+b)
	}
	args = append(append(args, clImgNode), labDockerdArgs()...)
	l.must(args...)
	l.ip = l.must("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", l.name)
	l.waitEngine(time.Minute)
	labLoadImages(t, l.host(), guardImages()...)
	return l
}

func (l *lab) must(args ...string) string {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := clDocker(ctx, nil, args...)
	if err != nil {
		l.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// waitEngine polls until the lab's dockerd answers.
func (l *lab) waitEngine(timeout time.Duration) time.Duration {
	l.t.Helper()
	d, err := labWaitEngine(l.host(), timeout)
	if err != nil {
		logs, _ := clDocker(context.Background(), nil, "logs", "--tail", "30", l.name)
		l.t.Fatalf("lab engine %s: %v\n%s", l.name, err, logs)
	}
	return d
}

func labWaitEngine(host string, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		out, err := clDocker(ctx, nil, "-H", host, "version", "--format", "{{.Server.Version}}")
		cancel()
		if err == nil {
			return time.Since(start), nil
		}
		if time.Since(start) > timeout {
			return 0, fmt.Errorf("engine at %s did not answer within %s: %v %s", host, timeout, err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// labLoadImages copies images from the test engine into the engine at
// host with docker save | docker load: there is no registry to pull from.
func labLoadImages(t *testing.T, host string, refs ...string) {
	t.Helper()
	if len(refs) == 0 {
		t.Fatal("no images to load into the lab engine: the guard site did not record its images")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	save := exec.CommandContext(ctx, "docker", append([]string{"save"}, refs...)...)
	pipe, err := save.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := save.Start(); err != nil {
		t.Fatal(err)
	}
	out, err := clDocker(ctx, pipe, "-H", host, "load")
	if werr := save.Wait(); err != nil || werr != nil {
		t.Fatalf("load %v into %s: %v %v\n%s", refs, host, err, werr, out)
	}
	t.Logf("loaded %s into %s in %s", strings.Join(refs, " "), host, time.Since(start).Round(100*time.Millisecond))
}

// labRemove removes what a lab made (containers, volumes, network), by label.
func labRemove(t *testing.T, run string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	filter := "label=" + labLabel + "=" + run
	if ids, _ := clDocker(ctx, nil, "ps", "-aq", "--filter", filter); ids != "" {
		if out, err := clDocker(ctx, nil, append([]string{"rm", "-f", "-v"}, strings.Fields(ids)...)...); err != nil {
			t.Logf("remove lab containers: %v %s", err, out)
		}
	}
	if vols, _ := clDocker(ctx, nil, "volume", "ls", "-q", "--filter", filter); vols != "" {
		if out, err := clDocker(ctx, nil, append([]string{"volume", "rm"}, strings.Fields(vols)...)...); err != nil {
			t.Logf("remove lab volumes: %v %s", err, out)
		}
	}
	if ids, _ := clDocker(ctx, nil, "network", "ls", "-q", "--filter", filter); ids != "" {
		if out, err := clDocker(ctx, nil, append([]string{"network", "rm"}, strings.Fields(ids)...)...); err != nil {
			t.Logf("remove lab network: %v %s", err, out)
		}
	}
}
