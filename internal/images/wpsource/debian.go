package wpsource

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images/dockerbuild"
)

//go:embed debian/Dockerfile
var debianDockerfile []byte

// DefaultDebianImageRepo is where the extraction image is cached.
const DefaultDebianImageRepo = "wpstack/wpsrc-debian"

// debianRecipe is the sha256 of the extraction recipe, the base it runs on
// and the theme it takes; it names both the cached image and the cached tree.
func debianRecipe(opts Options) string {
	h := sha256.New()
	h.Write(debianDockerfile)
	fmt.Fprintf(h, "\x00base\x00%s\x00theme\x00%s\x00", opts.BaseImage, opts.Theme)
	return hex.EncodeToString(h.Sum(nil))
}

// resolveDebian unpacks Debian's wordpress package inside Docker, so it works
// on any host with an engine, then copies the plain tree out into the cache.
func resolveDebian(ctx context.Context, c cache, opts Options) (Source, error) {
	recipe := debianRecipe(opts)
	key := "debian-" + recipe[:12]
	if s, ok := c.lookup(key); ok && !opts.NoCache {
		return s, nil
	}
	if opts.Engine == nil {
		return Source{}, errors.New("the debian WordPress source needs a Docker engine; none was given")
	}
	ref := opts.DebianImageRepo + ":" + recipe[:12]
	if err := ensureDebianImage(ctx, opts, ref, recipe); err != nil {
		return Source{}, err
	}
	var pkgVersion string
	return c.store(key, KindDebian, func(tmp string) error {
		raw := filepath.Join(tmp, "raw")
		if err := os.Mkdir(raw, 0o755); err != nil {
			return err
		}
		if err := copyOut(ctx, opts.Engine, ref, "/out", raw); err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(raw, "debian-version"))
		if err != nil {
			return fmt.Errorf("read Debian package version from %s: %w", ref, err)
		}
		pkgVersion = strings.TrimSpace(string(b))
		if err := os.Rename(filepath.Join(raw, "wordpress"), filepath.Join(tmp, "tree")); err != nil {
			return fmt.Errorf("image %s holds no /out/wordpress: %w", ref, err)
		}
		return os.RemoveAll(raw)
	}, func(string) string {
		return fmt.Sprintf("Debian package wordpress %s (offline)", pkgVersion)
	})
}

func ensureDebianImage(ctx context.Context, opts Options, ref, recipe string) error {
	if !opts.NoCache {
		if _, err := opts.Engine.ImageInspect(ctx, ref); err == nil {
			return nil
		}
	}
	res := "image " + opts.DebianImageRepo
	events.Emit(ctx, res, events.Working, "unpacking Debian's wordpress package")
	_, err := dockerbuild.Build(ctx, opts.Engine, dockerbuild.Request{
		Resource:  res,
		Tags:      []string{ref},
		Labels:    map[string]string{contract.LabelRole: "wpsrc-debian", contract.LabelRecipe: recipe},
		BuildArgs: map[string]string{"BASE": opts.BaseImage, "THEME": opts.Theme},
		NoCache:   opts.NoCache,
		Context: func(tw *tar.Writer) error {
			return dockerbuild.AddBytes(tw, "Dockerfile", 0o644, debianDockerfile)
		},
	})
	if err != nil {
		return fmt.Errorf("%w\n  the debian source needs the base image %s and Debian's mirror reachable from docker build", err, opts.BaseImage)
	}
	events.Emit(ctx, res, events.Done, "built "+ref)
	return nil
}

// copyOut copies dir out of image into dst through a created, never started
// container, which is removed afterwards even when ctx is cancelled.
func copyOut(ctx context.Context, eng dockerbuild.Engine, image, dir, dst string) error {
	created, err := eng.ContainerCreate(ctx, &container.Config{
		Image:  image,
		Cmd:    []string{"true"},
		Labels: map[string]string{contract.LabelRole: "wpsrc-copy"},
	}, nil, nil, nil, "")
	if err != nil {
		return fmt.Errorf("create a container from %s to copy %s out: %w", image, dir, err)
	}
	defer func() {
		_ = eng.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true})
	}()
	rc, _, err := eng.CopyFromContainer(ctx, created.ID, dir)
	if err != nil {
		return fmt.Errorf("copy %s out of %s: %w", dir, image, err)
	}
	defer rc.Close()
	if err := ExtractTar(rc, dst, filepath.Base(dir)); err != nil {
		return fmt.Errorf("copy %s out of %s: %w", dir, image, err)
	}
	return nil
}
