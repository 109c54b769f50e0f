package container

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/zstd"
)

// MARIADB_AUTO_UPGRADE, as in the official image: when the data directory
// was last used by an older major version than this server, the system
// tables are dumped into the data directory, then mariadb-upgrade runs on
// a temporary server reachable on the socket only, before the real server
// starts.
const (
	autoUpgradeVar = "MARIADB_AUTO_UPGRADE"
	mariadbUpgrade = "/usr/bin/mariadb-upgrade"
	mariadbDump    = "/usr/bin/mariadb-dump"
	// upgradeFailVar makes the upgrade fail after its system-table dump,
	// so rollbacks can be tested against a real data directory.
	upgradeFailVar = "WPSTACK_TEST_FAIL_DB_UPGRADE"
	// upgradeSocket is the upgrade's temporary server's: not the usual
	// one, so neither clients nor the health check reach a server that
	// runs without its grant tables.
	upgradeSocket = dbRunDir + "/upgrade.sock"
)

// upgradeInfoFiles record the version that last upgraded a data directory
// (mariadb-upgrade writes the first; older servers wrote the second).
var upgradeInfoFiles = []string{"mariadb_upgrade_info", "mysql_upgrade_info"}

var majorMinorRE = regexp.MustCompile(`(\d+)\.(\d+)\.\d+`)

// majorMinor reads "10.11" out of "10.11.6-MariaDB" or `mariadbd --version`.
func majorMinor(s string) (string, bool) {
	m := majorMinorRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1] + "." + m[2], true
}

// dataDirVersion is the version that last upgraded dir, "" when unknown.
func dataDirVersion(dir string) string {
	for _, name := range upgradeInfoFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			if v := majorMinorRE.FindString(string(b)); v != "" {
				return v
			}
		}
	}
	return ""
}

// needsUpgrade says whether a data directory last used by dataVersion
// ("" when unknown) needs mariadb-upgrade under serverVersion: an older or
// unknown major.minor does, as in the official image.
func needsUpgrade(dataVersion, serverVersion string) bool {
	d, ok := majorMinor(dataVersion)
	if !ok {
		return true
	}
	s, _ := majorMinor(serverVersion)
	return d != s
}

// serverVersion is this image's mariadbd version.
func serverVersion() (string, error) {
	out, err := exec.Command(mariadbd, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", mariadbd, err)
	}
	v := majorMinorRE.FindString(string(out))
	if v == "" {
		return "", fmt.Errorf("no version in %s --version: %q", mariadbd, strings.TrimSpace(string(out)))
	}
	return v, nil
}

// autoUpgrade runs the major upgrade of an existing data directory when
// MARIADB_AUTO_UPGRADE is set and the directory is older than the server.
func autoUpgrade(logger *log.Logger, env environ, extra []string) error {
	v, _, err := env.first(autoUpgradeVar)
	if err != nil {
		return err
	}
	if !truthy(v) {
		return nil
	}
	server, err := serverVersion()
	if err != nil {
		return err
	}
	data := dataDirVersion(dbDataDir)
	if !needsUpgrade(data, server) {
		return nil
	}
	from := data
	if from == "" {
		from = "an unknown version"
	}
	logger.Printf("%s: upgrading the data directory from %s to %s", autoUpgradeVar, from, server)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fail, _, _ := env.first(upgradeFailVar)
	noBackup, _, _ := env.first("MARIADB_DISABLE_UPGRADE_BACKUP")
	r := initRun{Log: logger, Env: env, DataDir: dbDataDir, Stderr: os.Stderr, StartMax: 120 * time.Second, Socket: upgradeSocket,
		Extra: append([]string{"--skip-grant-tables", "--loose-innodb_buffer_pool_dump_at_shutdown=0"}, extra...)}
	if err := r.upgrade(ctx, data, !truthy(noBackup), truthy(fail)); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped during the MariaDB upgrade of %s; the next start runs it again", dbDataDir)
		}
		return fmt.Errorf("MariaDB upgrade of %s from %s to %s: %w", dbDataDir, from, server, err)
	}
	logger.Printf("%s: data directory upgraded to %s", autoUpgradeVar, server)
	return nil
}

func (r initRun) upgrade(ctx context.Context, dataVersion string, backup, fail bool) (err error) {
	srv, err := r.startServer(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := srv.stop(120 * time.Second); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	name := "system_mysql_backup_unknown_version.sql.zst"
	if dataVersion != "" {
		name = "system_mysql_backup_" + dataVersion + ".sql.zst"
	}
	if backup {
		if err := r.dumpSystem(ctx, filepath.Join(r.DataDir, name)); err != nil {
			return err
		}
		r.Log.Printf("system tables saved in %s", filepath.Join(r.DataDir, name))
	}
	if fail {
		return fmt.Errorf("%s is set: failing on purpose after the system-table backup", upgradeFailVar)
	}
	cmd := exec.CommandContext(ctx, mariadbUpgrade, "--no-defaults", "--protocol=socket", "--socket="+r.socket(),
		"--user=root", "--upgrade-system-tables")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("mariadb-upgrade: %w\n%s", err, lastLines(out.String(), 20))
	}
	return nil
}

// dumpSystem writes the mysql schema, zstd-compressed, to path (mode 0600:
// it holds the password hashes).
func (r initRun) dumpSystem(ctx context.Context, path string) error {
	f, err := os.OpenFile(path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create the system-table backup %s: %w", path, err)
	}
	defer os.Remove(path + ".tmp")
	defer f.Close()
	// Compressed here (klauspost/compress, which the core archive's reader
	// uses too) rather than by a zstd program: the all-in-one image has none.
	zw, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return fmt.Errorf("compress the system-table dump: %w", err)
	}
	dump := exec.CommandContext(ctx, mariadbDump, "--no-defaults", "--protocol=socket", "--socket="+r.socket(),
		"--user=root", "--skip-lock-tables", "--replace", "--databases", "mysql")
	var dumpErr bytes.Buffer
	dump.Stdout, dump.Stderr = zw, &dumpErr
	if err := dump.Run(); err != nil {
		zw.Close()
		return fmt.Errorf("mariadb-dump of the system tables: %w: %s", err, strings.TrimSpace(dumpErr.String()))
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress the system-table dump into %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write the system-table backup %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func truthy(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && v != "0" && !strings.EqualFold(v, "no") && !strings.EqualFold(v, "false")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// recordDataDirVersion marks a new data directory as made by this server,
// so MARIADB_AUTO_UPGRADE leaves it alone until a newer server meets it.
func recordDataDirVersion() error {
	out, err := exec.Command(mariadbd, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", mariadbd, err)
	}
	v := majorMinorRE.FindString(string(out))
	if v == "" {
		return nil
	}
	p := filepath.Join(dbDataDir, upgradeInfoFiles[0])
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.WriteFile(p, []byte(v+"-MariaDB"), 0o640); err != nil {
		return fmt.Errorf("record the data directory's version in %s: %w", p, err)
	}
	return nil
}

func (r initRun) socket() string {
	if r.Socket != "" {
		return r.Socket
	}
	return initSocket
}
