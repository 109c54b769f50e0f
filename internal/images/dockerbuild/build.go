package dockerbuild

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker/api/types/build"

	"github.com/wpstack/wpstack/internal/events"
)

// Request describes one classic-builder build.
type Request struct {
	Resource  string            // event resource, e.g. "image wpstack/web"
	Tags      []string          // every tag to set
	Labels    map[string]string // image labels
	BuildArgs map[string]string
	NoCache   bool
	// Context writes the build context. It runs in its own goroutine and
	// streams into the request, so a large context is never held in memory.
	Context func(tw *tar.Writer) error
}

// Build runs the build and returns the new image's ID. Step lines go out as
// events; a failed step becomes an error carrying the last lines of output.
func Build(ctx context.Context, eng Engine, req Request) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	pr, pw := io.Pipe()
	produced := make(chan error, 1)
	go func() {
		tw := tar.NewWriter(pw)
		err := req.Context(tw)
		if err == nil {
			err = tw.Close()
		}
		_ = pw.CloseWithError(err)
		produced <- err
	}()

	args := make(map[string]*string, len(req.BuildArgs))
	for k, v := range req.BuildArgs {
		args[k] = &v
	}
	resp, err := eng.ImageBuild(ctx, pr, build.ImageBuildOptions{
		Tags:        req.Tags,
		Labels:      req.Labels,
		BuildArgs:   args,
		NoCache:     req.NoCache,
		Remove:      true,
		ForceRemove: true,
		Version:     build.BuilderV1,
		Dockerfile:  "Dockerfile",
	})
	if err != nil {
		_ = pr.CloseWithError(err)
		if perr := <-produced; perr != nil && !errors.Is(perr, err) {
			return "", fmt.Errorf("build %s: write context: %w", req.Resource, perr)
		}
		return "", fmt.Errorf("build %s: start build on the docker engine: %w", req.Resource, err)
	}
	defer resp.Body.Close()

	res, derr := DecodeStream(resp.Body, func(line string) {
		if strings.HasPrefix(line, "Step ") {
			events.Emit(ctx, req.Resource, events.Working, shorten(line))
		}
	})
	// Unblock the producer if the engine stopped reading early.
	_ = pr.CloseWithError(errors.New("build finished"))
	perr := <-produced
	if derr != nil {
		return "", fmt.Errorf("build %s: %w", req.Resource, derr)
	}
	if perr != nil {
		return "", fmt.Errorf("build %s: write context: %w", req.Resource, perr)
	}
	if res.ImageID == "" {
		return "", fmt.Errorf("build %s: the engine reported no image ID; last output:\n    %s", req.Resource, strings.Join(res.Tail, "\n    "))
	}
	return res.ImageID, nil
}

// maxEventText keeps a step event on one terminal line; the full text is in
// the error tail when the step fails.
const maxEventText = 140

// shorten folds a step line's whitespace (continued RUN lines) and trims it.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxEventText {
		s = s[:maxEventText-1] + "…"
	}
	return s
}
