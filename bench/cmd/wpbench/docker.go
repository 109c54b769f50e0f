package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// docker runs the docker CLI and returns its trimmed stdout.
func docker(ctx context.Context, args ...string) (string, error) {
	return dockerIn(ctx, nil, args...)
}

func dockerIn(ctx context.Context, stdin []byte, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// memoryMiB is what `docker stats` shows per container (usage without the
// page cache the kernel can drop), keyed by container name.
func memoryMiB(ctx context.Context, containers []string) (map[string]float64, error) {
	args := append([]string{"stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}"}, containers...)
	out, err := docker(ctx, args...)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, l := range strings.Split(out, "\n") {
		name, usage, ok := strings.Cut(l, "\t")
		if !ok {
			continue
		}
		v, err := parseMemUsage(usage)
		if err != nil {
			return nil, fmt.Errorf("memory of %s: %w", name, err)
		}
		m[name] = v
	}
	return m, nil
}

// parseMemUsage reads the first half of "12.5MiB / 23.5GiB" as MiB.
func parseMemUsage(s string) (float64, error) {
	used, _, _ := strings.Cut(s, "/")
	used = strings.TrimSpace(used)
	units := []struct {
		suffix string
		mib    float64
	}{{"GiB", 1024}, {"MiB", 1}, {"KiB", 1.0 / 1024}, {"kB", 1.0 / 1024}, {"B", 1.0 / 1024 / 1024}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(used, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, fmt.Errorf("parse memory usage %q: %w", s, err)
			}
			return v * u.mib, nil
		}
	}
	return 0, fmt.Errorf("parse memory usage %q: unknown unit", s)
}

// imageMiB is an image's size as the engine reports it.
func imageMiB(ctx context.Context, ref string) (float64, error) {
	out, err := docker(ctx, "image", "inspect", "--format", "{{.Size}}", ref)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseFloat(out, 64)
	if err != nil {
		return 0, fmt.Errorf("size of image %s: %w", ref, err)
	}
	return n / 1024 / 1024, nil
}

// containerImage is the image reference a container was created from.
func containerImage(ctx context.Context, name string) (string, error) {
	return docker(ctx, "inspect", "--format", "{{.Config.Image}}", name)
}
