package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/swarm"
	"github.com/wpstack/wpstack/internal/target"
)

// upgradeMarker is what a swarm upgrade writes in the site's state folder
// before its database moves, and removes when it is over either way: a
// wpstack killed in between leaves it, and the next `up` or `upgrade` of
// the site finishes the rollback from it (a bookworm spec cannot run on a
// data directory MariaDB 11.8 has upgraded).
type upgradeMarker struct {
	From    string    `json:"from"`
	To      string    `json:"to"`
	Safety  string    `json:"safety_backup"`
	Web     string    `json:"web_image"`
	DB      string    `json:"db_image"`
	Edge    string    `json:"edge_image"`
	Started time.Time `json:"started"`
}

func (s *Service) upgradeMarkerPath(name string) string {
	return filepath.Join(s.store.SiteDir(name), "upgrade-in-progress.json")
}

func (s *Service) writeUpgradeMarker(name string, m upgradeMarker) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.upgradeMarkerPath(name), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("record the upgrade under way: %w", err)
	}
	return nil
}

// readUpgradeMarker says whether the site has a marker, and what it holds.
func (s *Service) readUpgradeMarker(name string) (upgradeMarker, bool, error) {
	var m upgradeMarker
	b, err := os.ReadFile(s.upgradeMarkerPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("read the record of an interrupted upgrade: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Safety == "" || m.Web == "" || m.DB == "" {
		return m, false, fmt.Errorf("the record of an interrupted upgrade %s is damaged (%v): bring the site back by hand with `wpstack restore %s BACKUP` from its -pre-upgrade backup, then remove the file", s.upgradeMarkerPath(name), err, name)
	}
	return m, true, nil
}

func (s *Service) removeUpgradeMarker(name string) {
	_ = os.Remove(s.upgradeMarkerPath(name))
}

func (m upgradeMarker) images() target.Images {
	return target.Images{Set: images.Set{Web: m.Web, DB: m.DB}, Edge: m.Edge}
}

// recoverSwarmUpgrade finishes the rollback of a swarm upgrade a killed
// wpstack left: the old images by the references that ran, on the safety
// backup's data. It says whether it did.
func (s *Service) recoverSwarmUpgrade(ctx context.Context, t target.Target, spec site.Spec) (bool, error) {
	m, found, err := s.readUpgradeMarker(spec.Name)
	if err != nil || !found {
		return false, err
	}
	if spec.StackRelease() == m.To {
		// The new spec was saved: the upgrade had finished.
		s.removeUpgradeMarker(spec.Name)
		return false, nil
	}
	st, ok := t.(*swarm.Target)
	if !ok {
		return false, fmt.Errorf("site %q: an interrupted swarm upgrade is recorded, but the site's target is not a swarm", spec.Name)
	}
	res := "upgrade " + spec.Name
	events.Emit(ctx, res, events.Warning, fmt.Sprintf("the upgrade to %s started %s was interrupted: rolling the site back from the safety backup %s", m.To, m.Started.Format(time.RFC3339), m.Safety))
	if err := s.swarmRollback(ctx, st, spec, m.images(), m.Safety); err != nil {
		return false, fmt.Errorf("an earlier upgrade of site %q was interrupted, and rolling it back failed: %w; bring it back by hand with `wpstack restore %s %s` (the safety backup)", spec.Name, err, spec.Name, m.Safety)
	}
	s.removeUpgradeMarker(spec.Name)
	events.Emit(ctx, res, events.Done, "the site runs its images and data from before the interrupted upgrade")
	return true, nil
}
