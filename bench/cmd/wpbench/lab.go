package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// labLabel marks what the bench's throwaway engine is made of, so that its
// cleanup, and a later run after a killed one, find it by label.
const labLabel = "io.wpstack.bench.lab"

// labNodeFlags let dockerd run in a container that is not --privileged
// (which some VMs refuse), as the e2e suite's swarm nodes do.
var labNodeFlags = []string{
	"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
	"--security-opt", "seccomp=unconfined", "--security-opt", "systempaths=unconfined",
	"--device-cgroup-rule", "a *:* rwm",
}

// lab is a Docker engine in a Docker-in-Docker container on a network of
// its own: what would change the user's engine for every site on it (a
// swarm made and left) happens there.
type lab struct {
	run, name, ip string
}

func (l *lab) host() string { return "tcp://" + l.ip + ":2375" }

// startLab builds the node image from ctxDir (the e2e suite's
// test/e2e/testdata/swarmnode), starts the engine, and loads images from
// this engine into it: there is no registry to pull from.
func startLab(ctx context.Context, ctxDir string, images []string) (*lab, error) {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	l := &lab{run: "wpt-e-lab-" + hex.EncodeToString(b)}
	l.name = l.run + "-engine"
	labRemove(context.WithoutCancel(ctx), "") // what a killed run left
	const img = "wpt-e-lab:bench"
	if _, err := docker(ctx, "build", "-q", "--build-arg", "BASE=wpstack/base:bookworm", "-t", img, ctxDir); err != nil {
		return nil, fmt.Errorf("build the lab engine image from %s: %w", ctxDir, err)
	}
	if _, err := docker(ctx, "network", "create", "--label", labLabel+"="+l.run, l.run+"-net"); err != nil {
		return l, err
	}
	args := append([]string{"run", "-d", "--name", l.name, "--hostname", l.name, "--label", labLabel + "=" + l.run,
		"--network", l.run + "-net",
		"--mount", "type=volume,source=" + l.name + "-docker,target=/var/lib/docker,volume-label=" + labLabel + "=" + l.run},
		labNodeFlags...)
	args = append(args, img, "-H", "unix:///var/run/docker.sock", "-H", "tcp://0.0.0.0:2375")
	for _, ns := range nameservers() {
		args = append(args, "--dns", ns)
	}
	if _, err := docker(ctx, args...); err != nil {
		return l, err
	}
	ip, err := docker(ctx, "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", l.name)
	if err != nil {
		return l, err
	}
	l.ip = ip
	if err := poll(ctx, time.Minute, "the lab engine", func() bool {
		_, err := docker(ctx, "-H", l.host(), "version")
		return err == nil
	}); err != nil {
		return l, err
	}
	save := exec.CommandContext(ctx, "docker", append([]string{"save"}, images...)...)
	load := exec.CommandContext(ctx, "docker", "-H", l.host(), "load", "-q")
	pipe, err := save.StdoutPipe()
	if err != nil {
		return l, err
	}
	load.Stdin = pipe
	var errb strings.Builder
	save.Stderr, load.Stderr = &errb, &errb
	if err := save.Start(); err != nil {
		return l, err
	}
	lerr := load.Run()
	if serr := save.Wait(); lerr != nil || serr != nil {
		return l, fmt.Errorf("docker save %s | docker load into the lab engine: %v %v: %s", strings.Join(images, " "), serr, lerr, errb.String())
	}
	return l, nil
}

func (l *lab) remove(ctx context.Context) { labRemove(ctx, l.run) }

// labRemove removes the lab engine of run (every lab's when run is ""):
// containers, volumes and the network, found by label.
func labRemove(ctx context.Context, run string) {
	filter := "label=" + labLabel
	if run != "" {
		filter += "=" + run
	}
	if ids, _ := docker(ctx, "ps", "-aq", "--filter", filter); ids != "" {
		_, _ = docker(ctx, append([]string{"rm", "-f", "-v"}, strings.Fields(ids)...)...)
	}
	if ids, _ := docker(ctx, "volume", "ls", "-q", "--filter", filter); ids != "" {
		_, _ = docker(ctx, append([]string{"volume", "rm"}, strings.Fields(ids)...)...)
	}
	if ids, _ := docker(ctx, "network", "ls", "-q", "--filter", filter); ids != "" {
		_, _ = docker(ctx, append([]string{"network", "rm"}, strings.Fields(ids)...)...)
	}
}

// nameservers are this machine's resolvers, for builds in the lab engine
// (a loopback resolver would not answer there).
func nameservers() []string {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "nameserver" && !strings.HasPrefix(f[1], "127.") && !strings.Contains(f[1], ":") {
			out = append(out, f[1])
		}
	}
	return out
}
