package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
	dirs := []string{db, html, spec.MailDir()}
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

// checkFolders refuses a spec whose --data-dir or --shared-storage holds
// another site's data: the same folder, one inside it, or one it is
// inside, as the stored specs say. Paths are compared as they resolve
// here, so a symlink alias of another site's folder is caught too.
func (s *Service) checkFolders(spec site.Spec) error {
	mine := spec.Folders()
	if len(mine) == 0 {
		return nil
	}
	names, err := s.store.List()
	if err != nil {
		return err
	}
	for _, name := range names {
		if name == spec.Name {
			continue
		}
		other, err := s.store.Load(name)
		if err != nil {
			continue // an unreadable spec is reported by the commands on that site
		}
		for flag, dir := range mine {
			for oflag, odir := range other.Folders() {
				a, b := site.Resolve(dir), site.Resolve(odir)
				if site.Overlap(a, b) || site.Overlap(filepath.Clean(dir), filepath.Clean(odir)) {
					return fmt.Errorf("%s %s holds site %q's data (its %s is %s): give a folder of its own to %s, e.g. %s /srv/wp-%s",
						flag, dir, name, oflag, odir, spec.Name, flag, spec.Name)
				}
			}
		}
	}
	return nil
}
