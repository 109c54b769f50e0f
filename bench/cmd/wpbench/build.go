package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/bench/baseline"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/images/wpsource"
)

// wordpressTree is the WordPress tree both stacks serve: Debian's, as
// `wpstack up --wordpress-source debian` resolves it (same cache).
func wordpressTree(ctx context.Context, rel images.Release) (wpsource.Source, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return wpsource.Source{}, fmt.Errorf("connect to the docker engine: %w", err)
	}
	defer cli.Close()
	base, err := images.Base(ctx, cli, images.BaseOptions{Release: rel})
	if err != nil {
		return wpsource.Source{}, fmt.Errorf("the %s base image: %w", rel, err)
	}
	return wpsource.Resolve(ctx, wpsource.Options{Spec: "debian", Engine: cli, BaseImage: base.Ref, Theme: rel.Theme()})
}

// buildBaseline builds the baseline web and db images under tag, from the
// embedded recipe plus the WordPress tree. noCache makes it a cold build.
func buildBaseline(ctx context.Context, work, tree, webRef, dbRef string, noCache bool) error {
	for _, role := range []struct{ dir, ref string }{{"db", dbRef}, {"web", webRef}} {
		ctxDir := filepath.Join(work, "ctx-"+role.dir)
		if err := os.RemoveAll(ctxDir); err != nil {
			return fmt.Errorf("clear build context %s: %w", ctxDir, err)
		}
		sub, err := fs.Sub(baseline.Files, role.dir)
		if err != nil {
			return err
		}
		if err := os.CopyFS(ctxDir, sub); err != nil {
			return fmt.Errorf("write the baseline %s recipe: %w", role.dir, err)
		}
		if role.dir == "web" {
			if out, err := exec.CommandContext(ctx, "cp", "-a", tree, filepath.Join(ctxDir, "wordpress")).CombinedOutput(); err != nil {
				return fmt.Errorf("copy WordPress into the baseline build context: %w: %s", err, out)
			}
		}
		args := []string{"build", "-q", "-t", role.ref}
		if noCache {
			args = append(args, "--no-cache")
		}
		cmd := exec.CommandContext(ctx, "docker", append(args, ctxDir)...)
		cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build baseline %s image %s: %w\n%s", role.dir, role.ref, err, tail(string(out), 3000))
		}
		if err := os.RemoveAll(ctxDir); err != nil {
			return fmt.Errorf("clear build context %s: %w", ctxDir, err)
		}
	}
	return nil
}

// buildWpstackCold builds wpstack's web and db images with no layer cache
// and a fresh WordPress extraction, under prefix, for the wpstack-init at
// binary (whose hash makes the recipe hash new, so `up` given that
// wpstack-init reuses nothing).
func buildWpstackCold(ctx context.Context, binary, cacheDir, prefix string, rel images.Release) (images.Set, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return images.Set{}, fmt.Errorf("connect to the docker engine: %w", err)
	}
	defer cli.Close()
	if rel == "" {
		rel = images.DefaultRelease
	}
	if _, err := wpsource.Resolve(ctx, wpsource.Options{Spec: "debian", CacheDir: cacheDir, Engine: cli,
		BaseImage: images.BaseTagFor(rel), Theme: rel.Theme(), DebianImageRepo: prefix + "/wpsrc-debian", NoCache: true}); err != nil {
		return images.Set{}, err
	}
	return images.Ensure(ctx, cli, images.Options{Source: "debian", CacheDir: cacheDir, Binary: binary, NoCache: true, Prefix: prefix, Release: rel})
}

// freshBinary copies the wpstack binary with a unique trailer (the ELF
// loader ignores bytes past the sections), so its hash, and with it every
// recipe hash, is new while the code is the one measured warm.
func freshBinary(src, out, nonce string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	b = append(b, []byte("\nwpbench-cold-"+nonce+"\n")...)
	if err := os.WriteFile(out, b, 0o755); err != nil {
		return fmt.Errorf("write a fresh copy of %s for the cold run: %w", src, err)
	}
	return nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
