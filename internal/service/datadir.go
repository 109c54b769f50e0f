package service

import (
	"context"
	"fmt"
	"os"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// ensureDataDirs creates the host folders of a site with --data-dir when
// they are missing (Docker refuses to bind-mount a missing folder). Their
// owners are set inside the containers on start, by PID 1, and only where
// wrong.
func ensureDataDirs(ctx context.Context, spec site.Spec, local bool) error {
	if spec.DataDir == "" {
		return nil
	}
	db, html := spec.DataDirs()
	dirs := []string{db, html}
	if b := spec.BackupsDir(); b != "" {
		dirs = append(dirs, b)
	}
	for _, dir := range dirs {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && fi.IsDir():
			continue
		case err == nil:
			return fmt.Errorf("data folder %s is not a directory: move it away or choose another --data-dir", dir)
		case !os.IsNotExist(err):
			return fmt.Errorf("inspect data folder %s: %w", dir, err)
		case !local:
			return fmt.Errorf("data folder %s does not exist and the Docker engine is not on this machine: create it on the engine's host first", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create data folder %s: %w; create it yourself or choose another --data-dir", dir, err)
		}
		events.Emit(ctx, "folder "+dir, events.Done, "created")
	}
	return nil
}
