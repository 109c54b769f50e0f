package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/contract"
)

// backupsDir is where the backup service keeps its archives (a volume).
const backupsDir = contract.BackupsDir

// runBackup is the site's scheduled backup service: as mysql, it backs the
// site up every WPSTACK_BACKUP_EVERY into /backups, keeps the newest
// WPSTACK_BACKUP_KEEP, and records each run for the health check.
func runBackup(logger *log.Logger, env environ) (int, error) {
	every, err := time.ParseDuration(env[contract.EnvBackupEvery])
	if err != nil || every < time.Second {
		return 2, fmt.Errorf("backup: WPSTACK_BACKUP_EVERY %q: give a duration such as 24h", env[contract.EnvBackupEvery])
	}
	keep, err := strconv.Atoi(env[contract.EnvBackupKeep])
	if err != nil || keep < 1 {
		return 2, fmt.Errorf("backup: WPSTACK_BACKUP_KEEP %q: give a number of backups to keep, at least 1", env[contract.EnvBackupKeep])
	}
	name := env[contract.EnvSite]
	if name == "" || env[contract.EnvWPDBHost] == "" || env[contract.EnvDBPasswordFile] == "" {
		return 2, errors.New("backup: WPSTACK_SITE, WORDPRESS_DB_HOST and MARIADB_PASSWORD_FILE are required")
	}
	// As its own service it starts as root and drops to mysql; as a child
	// of the all-in-one PID 1 it starts unprivileged, with /backups ready.
	if os.Geteuid() == 0 {
		acct, err := lookupAccount(dbUser)
		if err != nil {
			return 1, err
		}
		if env, err = prepareAsRoot(logger, env, acct, []ownedDir{{backupsDir, 0o750}}); err != nil {
			return 1, err
		}
	}
	// A first run against a database still starting would be reported as
	// a failure until the next interval.
	if err := waitForDatabase(logger, env); err != nil {
		return 1, err
	}
	src := backup.Local{Webroot: webRoot, DBHost: env[contract.EnvWPDBHost], PasswordFile: env[contract.EnvDBPasswordFile],
		WordPressVersion: env[contract.EnvWPVersion], TablePrefix: env[contract.EnvWPTablePrefix]}
	// PID 1 gets no default signal handling: stop on SIGTERM ourselves.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger.Printf("backup: site %s every %s into %s, keeping %d", name, every, backupsDir, keep)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		st, err := backup.RunScheduled(ctx, src, backup.RunOptions{Site: name, Dir: backupsDir, Every: every.String(), Keep: keep})
		switch {
		case ctx.Err() != nil:
			return 0, nil
		case err != nil:
			logger.Printf("backup: FAILED after %s: %v", time.Since(start).Round(time.Millisecond), err)
		default:
			logger.Printf("backup: %s written in %s; keeping %d", st.LastFile, time.Since(start).Round(time.Millisecond), len(st.Kept))
		}
		select {
		case <-ctx.Done():
			return 0, nil
		case <-t.C:
		}
	}
}

// checkBackup is the backup service's health: unhealthy when the last run
// failed, so `wpstack status` shows the site degraded.
func checkBackup(context.Context) error {
	st, err := backup.ReadStatus(backupsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no run finished yet
	}
	if err != nil {
		return fmt.Errorf("read backup status: %w", err)
	}
	if st.LastError != "" {
		return fmt.Errorf("last backup at %s failed: %s", st.LastRun.Format(time.RFC3339), st.LastError)
	}
	return nil
}
