package site

import (
	"fmt"
	"path/filepath"
	"time"
)

// ServiceBackup runs scheduled backups inside the site's stack.
const ServiceBackup = "backup"

// DataDirBackups is the host folder under DataDir for scheduled backups.
const DataDirBackups = "backups"

// MinBackupEvery keeps a typo (1s) from turning the site into a backup loop.
const MinBackupEvery = 10 * time.Second

// DefaultBackupKeep is how many scheduled backups are kept without --keep.
const DefaultBackupKeep = 7

// validateBackup checks the backup schedule.
func (s *Spec) validateBackup() error {
	if s.BackupEvery == "" {
		if s.BackupKeep != 0 {
			return fmt.Errorf("--keep needs a schedule: add --every (e.g. --every 24h --keep %d)", s.BackupKeep)
		}
		return nil
	}
	d, err := time.ParseDuration(s.BackupEvery)
	if err != nil || d < MinBackupEvery {
		return fmt.Errorf("invalid backup interval %q: give a duration of at least %s with --every (e.g. 24h or 6h30m)", s.BackupEvery, MinBackupEvery)
	}
	if s.BackupKeep < 1 {
		return fmt.Errorf("invalid --keep %d: keep at least 1 backup", s.BackupKeep)
	}
	return nil
}

// BackupInterval is the parsed BackupEvery (0 without a schedule).
func (s *Spec) BackupInterval() time.Duration {
	d, _ := time.ParseDuration(s.BackupEvery)
	return d
}

// BackupsDir is the host folder of scheduled backups of a site with DataDir
// and a schedule, else "".
func (s *Spec) BackupsDir() string {
	if s.DataDir == "" || s.BackupEvery == "" {
		return ""
	}
	return filepath.Join(s.DataDir, DataDirBackups)
}
