package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"time"
)

// runDB initialises the data directory on first start, then runs mariadbd
// as mysql with the container's arguments appended (`command: --log-bin`).
// SIGTERM from `docker stop` reaches mariadbd, which shuts down cleanly (no
// crash recovery on the next start). Any other command is run at once, as
// mysql (see classifyDB).
func runDB(logger *log.Logger, env environ, stdout io.Writer, args []string) (int, error) {
	kind, extra := classifyDB(args)
	if kind == runDirect {
		return execAs(env, dbUser, extra)
	}
	acct, err := lookupAccount(dbUser)
	if err != nil {
		return 1, err
	}
	env, err = prepareAsRoot(logger, env, acct, []ownedDir{
		{dbVolume, 0o750},
		{dbRunDir, 0o755},
	})
	if err != nil {
		return 1, err
	}
	if err := checkDBLayout(); err != nil {
		return 1, err
	}
	_, err = os.Stat(dbDataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cfg, err := dbInitConfig(env, stdout)
		if err != nil {
			return 1, err
		}
		if err := initDataDir(logger, cfg, env, extra, stdout); err != nil {
			return 1, err
		}
	case err != nil:
		return 1, fmt.Errorf("inspect %s: %w", dbDataDir, err)
	}
	sup := &Supervisor{
		Log: logger,
		Children: []ChildSpec{{
			Name: "mariadbd",
			Path: mariadbd,
			Args: append([]string{"mariadbd", "--datadir=" + dbDataDir}, extra...),
			Env:  env.list(),
			Dir:  dbVolume,
		}},
		// mariadbd flushes InnoDB on SIGTERM; Docker's own 10 s limit
		// applies to the container anyway.
		StopTimeout: 8 * time.Second,
	}
	return sup.Run()
}
