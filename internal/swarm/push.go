package swarm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/image"

	"github.com/wpstack/wpstack/internal/events"
)

// emptyAuth is an X-Registry-Auth of no credentials (base64 of "{}"): the
// engine uses what `docker login` stored on it, if anything.
const emptyAuth = "e30="

// Push tags ref as target and pushes it, so every node can pull it.
func (c *Cluster) Push(ctx context.Context, ref, target string) error {
	res := "image " + target
	if err := c.cli.ImageTag(ctx, ref, target); err != nil {
		return fmt.Errorf("tag %s as %s: %w", ref, target, err)
	}
	events.Emit(ctx, res, events.Working, "pushing")
	rc, err := c.cli.ImagePush(ctx, target, image.PushOptions{RegistryAuth: emptyAuth})
	if err != nil {
		return fmt.Errorf("push %s: %w", target, err)
	}
	defer rc.Close()
	if err := pushErrors(rc); err != nil {
		return fmt.Errorf("push %s: %w (is the registry reachable from the engine, and listed in its insecure-registries if it has no TLS?)", target, err)
	}
	events.Emit(ctx, res, events.Done, "pushed")
	return nil
}

// pushErrors reads the engine's JSON message stream and returns the
// first error it reports.
func pushErrors(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read push progress: %w", err)
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if m.ErrorDetail.Message != "" {
			return errors.New(m.ErrorDetail.Message)
		}
	}
}
