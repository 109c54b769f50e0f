package container

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
)

// runInitDir runs /docker-entrypoint-initdb.d against the data directory
// being initialised. SIGTERM or SIGINT meanwhile stops the scripts and the
// temporary server, so `docker stop` is quick; the next start begins the
// initialisation again.
func runInitDir(logger *log.Logger, c initConfig, env environ, extra []string, stdout io.Writer) error {
	scripts, ignored, err := listInitScripts(initScriptsDir)
	if err != nil {
		return err
	}
	for _, name := range ignored {
		logger.Printf("ignoring %s/%s (runs only *.sh, *.sql, *.sql.gz, *.sql.xz, *.sql.zst)", initScriptsDir, name)
	}
	if len(scripts) == 0 {
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	r := initRun{Log: logger, Config: c, Env: env, DataDir: dbInitDir, Extra: extra, Stdout: stdout, Stderr: os.Stderr}
	if err := r.runInitScripts(ctx, scripts); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped while running the init scripts: the next start initialises the database again")
		}
		return err
	}
	logger.Printf("ran %d init script(s) from %s", len(scripts), initScriptsDir)
	return nil
}
