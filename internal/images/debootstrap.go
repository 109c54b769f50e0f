package images

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images/dockerbuild"
)

// bootstrapBase builds a minimal root of the release with debootstrap, trims it
// like -slim, and imports it as the base image.
func bootstrapBase(ctx context.Context, eng Engine, opts BaseOptions) (BaseResult, error) {
	bin, err := exec.LookPath(opts.Debootstrap)
	if err != nil {
		return BaseResult{}, fmt.Errorf("no registry answered and %s is not installed, so the base image %s cannot be made offline; install it: apt-get install debootstrap (or run scripts/setup.sh)", opts.Debootstrap, opts.Tag)
	}
	if os.Geteuid() != 0 {
		return BaseResult{}, fmt.Errorf("no registry answered, and making the base image %s offline with debootstrap needs root (it creates device nodes and sets file owners); run this once as root, e.g. sudo wpstack …", opts.Tag)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "wpstack-rootfs-")
	if err != nil {
		return BaseResult{}, fmt.Errorf("create a folder for the base root: %w", err)
	}
	defer func() {
		unmountUnder(dir)
		os.RemoveAll(dir)
	}()

	start := time.Now()
	events.Emit(ctx, baseResource, events.Working, "debootstrap "+string(opts.Release)+" from "+opts.Mirror)
	if err := runDebootstrap(ctx, bin, dir, opts.Release, opts.Mirror); err != nil {
		return BaseResult{}, err
	}
	if err := trimRootfs(dir, opts.Release, opts.Mirror); err != nil {
		return BaseResult{}, err
	}
	events.Emit(ctx, baseResource, events.Working, fmt.Sprintf("bootstrapped in %s; importing", time.Since(start).Round(time.Second)))
	id, err := importRootfs(ctx, eng, dir, opts.Release, opts.Tag)
	if err != nil {
		return BaseResult{}, err
	}
	events.Emit(ctx, baseResource, events.Done, fmt.Sprintf("%s bootstrapped and imported in %s", opts.Tag, time.Since(start).Round(time.Second)))
	return BaseResult{Ref: opts.Tag, ID: id, Origin: OriginDebootstrap, Created: true}, nil
}

// runDebootstrap runs debootstrap, forwarding its "I: …" lines as events and
// keeping the last lines for the error message.
func runDebootstrap(ctx context.Context, bin, dir string, rel Release, mirror string) error {
	cmd := exec.CommandContext(ctx, bin, "--variant=minbase", string(rel), dir, mirror)
	killGroup(cmd)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var tail []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			tail = append(tail, line)
			if len(tail) > 15 {
				tail = tail[1:]
			}
			if text, ok := strings.CutPrefix(line, "I: "); ok {
				events.Emit(ctx, baseResource, events.Working, text)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	wg.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("debootstrap %s from %s failed: %w\n  last output:\n    %s\n  check that the mirror is reachable (set another with the mirror option)", rel, mirror, err, strings.Join(tail, "\n    "))
	}
	return nil
}

// importRootfs streams dir as a tar (numeric owners, so no host user
// database is consulted) into the engine's image import.
func importRootfs(ctx context.Context, eng Engine, dir string, rel Release, tag string) (string, error) {
	cmd := exec.CommandContext(ctx, "tar", "--numeric-owner", "-C", dir, "-cf", "-", ".")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("archive the base root with tar: %w", err)
	}
	rc, ierr := eng.ImageImport(ctx, image.ImportSource{Source: out, SourceName: "-"}, tag, image.ImportOptions{
		Message: "wpstack base: debootstrap --variant=minbase " + string(rel),
		Changes: []string{
			"LABEL " + LabelRole + "=base " + LabelBaseOrigin + "=" + OriginDebootstrap,
			"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			`CMD ["bash"]`,
		},
	})
	if ierr == nil {
		_, ierr = dockerbuild.DecodeStream(rc, nil)
		rc.Close()
	}
	// Drain so tar can finish even if the import stopped reading early.
	_, _ = io.Copy(io.Discard, out)
	werr := cmd.Wait()
	if ierr != nil {
		return "", fmt.Errorf("import the base root as %s: %w", tag, ierr)
	}
	if werr != nil {
		return "", fmt.Errorf("archive the base root with tar: %w: %s", werr, strings.TrimSpace(stderr.String()))
	}
	img, err := eng.ImageInspect(ctx, tag)
	if err != nil {
		return "", fmt.Errorf("inspect imported base %s: %w", tag, err)
	}
	return img.ID, nil
}
