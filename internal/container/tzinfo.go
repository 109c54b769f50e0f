package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Time zone tables, loaded on the first initialisation as the official
// image does, so CONVERT_TZ() and `SET time_zone = 'Europe/Paris'` work.
const (
	zoneinfoDir = "/usr/share/zoneinfo"
	tzinfoToSQL = "/usr/bin/mariadb-tzinfo-to-sql"
	// tzinfoToSQLOld is the name before MariaDB 10.5; kept as a fallback
	// for builds that ship only it.
	tzinfoToSQLOld = "/usr/bin/mysql_tzinfo_to_sql"
)

// tzinfoProgram returns the tzinfo converter the image has.
func tzinfoProgram() (string, error) {
	for _, p := range []string{tzinfoToSQL, tzinfoToSQLOld} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s in the image: set MARIADB_INITDB_SKIP_TZINFO=1 to initialise without time zone tables", tzinfoToSQL)
}

// bootstrapCompat runs one more `mariadbd --bootstrap` on the new data
// directory for what the official image adds at initialisation: the
// healthcheck users (prelude, SQL statements) and, unless skipTZ, the time
// zone tables converted from the system's zoneinfo. --skip-log-bin, as for
// the first bootstrap: none of this belongs in a binary log.
func bootstrapCompat(ctx context.Context, dataDir string, extra []string, prelude string, skipTZ bool) error {
	in := []io.Reader{strings.NewReader("USE mysql;\nFLUSH PRIVILEGES;\n" + prelude)}
	var conv *exec.Cmd
	var convErr bytes.Buffer
	if !skipTZ {
		prog, err := tzinfoProgram()
		if err != nil {
			return err
		}
		if _, err := os.Stat(zoneinfoDir); err != nil {
			return fmt.Errorf("time zone tables: %w (install tzdata, or set MARIADB_INITDB_SKIP_TZINFO=1)", err)
		}
		// --skip-write-binlog also makes it lock the tables, which is
		// faster for Aria (MDEV-23326).
		conv = exec.CommandContext(ctx, prog, "--skip-write-binlog", zoneinfoDir)
		conv.Stderr = &convErr // a warning per non-zone file (leap-seconds.list, ...)
		out, err := conv.StdoutPipe()
		if err != nil {
			return err
		}
		if err := conv.Start(); err != nil {
			return fmt.Errorf("start %s: %w", prog, err)
		}
		in = append(in, out)
	}
	args := append([]string{"--bootstrap", "--datadir=" + dataDir}, extra...)
	args = append(args, "--skip-networking", "--skip-log-bin", "--log-warnings=0")
	srv := exec.CommandContext(ctx, mariadbd, args...)
	srv.Stdin = io.MultiReader(in...)
	var out bytes.Buffer
	srv.Stdout, srv.Stderr = &out, &out
	runErr := srv.Run()
	if conv != nil {
		if runErr != nil {
			// Nobody reads its output any more: it would block for good.
			_ = conv.Process.Kill()
		}
		if err := conv.Wait(); err != nil && runErr == nil {
			return fmt.Errorf("convert %s into time zone tables: %w\n%s", zoneinfoDir, err, convErr.String())
		}
	}
	if runErr != nil {
		what := "create the healthcheck users"
		if !skipTZ {
			what += " and load the time zone tables"
		}
		return fmt.Errorf("%s (mariadbd --bootstrap): %w\n%s", what, runErr, out.String())
	}
	return nil
}
