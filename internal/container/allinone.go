package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// allInOneUser runs both MariaDB and Apache in the all-in-one image. PID 1
// may not stay root to start two children as two users, and no process in
// a container may run as root, so after the one privilege drop both
// services share the web user, as a single non-root user runs everything in
// the course. The database is only reachable over its socket and on
// 127.0.0.1, so sharing the user gives PHP nothing it could not already
// reach with the site's own database password.
const allInOneUser = webUser

// allInOneDBHost is where WordPress finds the database in the all-in-one
// image: the local socket.
const allInOneDBHost = "localhost:" + dbSocket

// runAllInOne prepares both data folders, initialises the database and the
// webroot on first start, then supervises mariadbd and apache2: each is
// restarted with backoff when it dies, the container ends (non-zero) when one
// keeps failing, and every line they print goes to stdout prefixed with its
// process name.
func runAllInOne(env environ, stdout io.Writer) (int, error) {
	logger := log.New(stdout, "wpstack | ", 0)
	acct, err := lookupAccount(allInOneUser)
	if err != nil {
		return 1, err
	}
	dirs := []ownedDir{
		{dbVolume, 0o750},
		{dbRunDir, 0o755},
		{webRoot, 0o755},
		{apacheRunDir, 0o755},
		{contract.PHPRunDir, 0o755},
		{mailboxDir, 0o700},
	}
	scheduled := env[contract.EnvBackupEvery] != ""
	if scheduled {
		dirs = append(dirs, ownedDir{backupsDir, 0o750})
	}
	env, err = prepareAsRoot(logger, env, acct, dirs)
	if err != nil {
		return 1, err
	}
	if env, err = phpRuntime(env, contract.PHPRunDir); err != nil {
		return 2, err
	}
	if err := checkDBLayout(); err != nil {
		return 1, err
	}
	if _, err := os.Stat(dbDataDir); errors.Is(err, fs.ErrNotExist) {
		cfg, err := dbInitConfig(env, stdout)
		if err != nil {
			return 1, err
		}
		cfg.SocketUser = allInOneUser
		if err := initDataDir(logger, cfg, env, nil, stdout); err != nil {
			return 1, err
		}
		if err := recordDataDirVersion(); err != nil {
			return 1, err
		}
	} else if err != nil {
		return 1, fmt.Errorf("inspect %s: %w", dbDataDir, err)
	} else if err := autoUpgrade(logger, env, nil); err != nil {
		// The same major upgrade as the db image's, before the server
		// the supervisor keeps starts on an older data directory.
		return 1, err
	}
	if err := installCore(logger, shippedCoreAt(contract.CoreArchive, coreSource), webRoot); err != nil {
		return 1, err
	}
	if err := ensureKeys(logger, env, webRoot); err != nil {
		return 1, err
	}
	if _, ok := env[contract.EnvWPDBHost]; !ok {
		env = env.with(map[string]string{contract.EnvWPDBHost: allInOneDBHost})
	}
	apacheEnv, err := apacheEnviron(env)
	if err != nil {
		return 1, err
	}
	sup := &Supervisor{
		Log:   logger,
		Lines: stdout,
		Children: []ChildSpec{
			{
				Name: "mariadbd",
				Path: mariadbd,
				// Only this container's Apache talks to it.
				Args:    []string{"mariadbd", "--datadir=" + dbDataDir, "--bind-address=127.0.0.1"},
				Env:     env.list(),
				Dir:     dbVolume,
				Restart: true,
			},
			{
				Name:    "apache2",
				Path:    apacheBin,
				Args:    apacheArgs(apacheEnv),
				Env:     apacheEnv.list(),
				Dir:     webRoot,
				Restart: true,
			},
		},
		// All stop well within Docker's default 10 s; mariadbd gets the
		// time to flush InnoDB for a clean next start.
		StopTimeout: 8 * time.Second,
		Backoff:     Backoff{First: time.Second, Max: 16 * time.Second, Limit: 5, Stable: time.Minute},
	}
	if scheduled {
		// Scheduled backups: the same loop as the split layout's backup
		// service, as a third child reaching the database on its socket.
		self, err := os.Executable()
		if err != nil {
			return 1, fmt.Errorf("find the %s binary for the backup loop: %w", contract.InitName, err)
		}
		sup.Children = append(sup.Children, ChildSpec{
			Name:    "backup",
			Path:    self,
			Args:    []string{contract.InitName, contract.RoleBackup},
			Env:     env.list(),
			Dir:     backupsDir,
			Restart: true,
		})
	}
	return sup.Run()
}

// checkAllInOne is healthy only when both services answer: the database
// over its socket, WordPress's PHP through Apache (which queries the
// database too), and with scheduled backups, the last backup run.
func checkAllInOne(ctx context.Context, scheduledBackups bool) error {
	if err := checkDB(ctx, allInOneUser); err != nil {
		return fmt.Errorf("mariadbd: %w", err)
	}
	if err := checkWeb(ctx); err != nil {
		return fmt.Errorf("apache2: %w", err)
	}
	if scheduledBackups {
		if err := checkBackup(ctx); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	return nil
}
