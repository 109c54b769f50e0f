package container

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/wpstack/wpstack/internal/contract"
)

// Paths of the db image (internal/images/recipes/db).
const (
	dbUser       = contract.DBUser
	dbVolume     = contract.DBDataDir
	dbDataDir    = dbVolume + "/data"
	dbInitDir    = dbVolume + "/.init"
	dbRunDir     = contract.DBRunDir
	dbSocket     = contract.DBSocket
	mariadbd     = "/usr/sbin/mariadbd"
	mariadbInst  = "/usr/bin/mariadb-install-db"
	mariadbShell = "/usr/bin/mariadb"
)

// dbInitConfig reads the first-start settings from the environment,
// accepting the MYSQL_* names too (dbAliases). stdout receives a generated root
// password, once.
func dbInitConfig(env environ, stdout io.Writer) (initConfig, error) {
	var c initConfig
	var err error
	get := func(suffix string) string {
		if err != nil {
			return ""
		}
		var v string
		v, _, err = dbSetting(env, suffix)
		return v
	}
	flag := func(suffix string) bool { return isOn(get(suffix)) }
	root, rootName := "", ""
	if err == nil {
		root, rootName, err = dbSetting(env, "ROOT_PASSWORD")
	}
	c.Database = get("DATABASE")
	c.User = get("USER")
	c.Password = get("PASSWORD")
	rootHost, hostSet := get("ROOT_HOST"), dbSettingSet(env, "ROOT_HOST")
	allowEmpty, random := flag("ALLOW_EMPTY_ROOT_PASSWORD"), flag("RANDOM_ROOT_PASSWORD")
	if err != nil {
		return c, err
	}
	c.RootHost = "%"
	if hostSet {
		c.RootHost = rootHost
	}
	switch {
	case rootName != "" && root != "":
		c.RootPassword = root
	case random:
		if c.RootPassword, err = randomPassword(32); err != nil {
			return c, err
		}
		fmt.Fprintf(stdout, "GENERATED ROOT PASSWORD: %s\n", c.RootPassword)
	case allowEmpty:
		c.RootPassword = ""
	default:
		return c, errors.New("database is uninitialised and no root password is set: set MARIADB_ROOT_PASSWORD_FILE (or MARIADB_ROOT_PASSWORD), or MARIADB_RANDOM_ROOT_PASSWORD=1 or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1")
	}
	if c.User != "" && c.Password == "" {
		return c, fmt.Errorf("MARIADB_USER=%s is set but MARIADB_PASSWORD_FILE (or MARIADB_PASSWORD) is not", c.User)
	}
	return c, c.validate()
}

// has reports whether any of the names (or their _FILE form) is set.
func (e environ) has(names ...string) bool {
	for _, n := range names {
		if _, ok := e[n]; ok {
			return true
		}
		if _, ok := e[n+"_FILE"]; ok {
			return true
		}
	}
	return false
}

func randomPassword(n int) (string, error) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate root password: %w", err)
	}
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf), nil
}

// initDataDir makes a new data directory in .init and renames it to data
// only once complete, so a start killed midway leaves nothing that looks
// usable: the next start throws .init away and begins again.
func initDataDir(logger *log.Logger, c initConfig, env environ, extra []string, stdout io.Writer) error {
	if err := os.RemoveAll(dbInitDir); err != nil {
		return fmt.Errorf("remove the leftover of an interrupted initialisation %s: %w", dbInitDir, err)
	}
	logger.Printf("initialising the database in %s", dbInitDir)
	// The container's server options apply from the start (encryption,
	// page size...), as with the official image; binary logging does not.
	out, err := runQuiet(nil, mariadbInst, append(append([]string{
		"--datadir=" + dbInitDir,
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
		// With --skip-name-resolve its host check (resolveip) decides
		// nothing; the all-in-one image does not ship resolveip.
		"--force",
	}, extra...), "--skip-log-bin")...)
	if err != nil {
		return fmt.Errorf("mariadb-install-db into %s: %w\n%s", dbInitDir, err, out)
	}
	out, err = runQuiet(strings.NewReader(bootstrapSQL(c)), mariadbd, append(append([]string{
		"--bootstrap",
		"--datadir=" + dbInitDir,
	}, extra...), "--skip-networking", "--skip-log-bin", "--log-warnings=0")...)
	if err != nil {
		return fmt.Errorf("create the database, users and root password (mariadbd --bootstrap): %w\n%s", err, out)
	}
	if err := initCompat(logger, env, dbInitDir, extra); err != nil {
		return err
	}
	if err := runInitDir(logger, c, env, extra, stdout); err != nil {
		return err
	}
	if err := syncTree(dbInitDir); err != nil {
		return err
	}
	if err := os.Rename(dbInitDir, dbDataDir); err != nil {
		return fmt.Errorf("rename %s to %s: %w", dbInitDir, dbDataDir, err)
	}
	if err := syncDir(dbVolume); err != nil {
		return err
	}
	what := "root account"
	if c.Database != "" {
		what += ", database " + c.Database
	}
	if c.User != "" {
		what += ", user " + c.User
	}
	logger.Printf("database initialised in %s (%s)", dbDataDir, what)
	return nil
}

// runQuiet runs a setup command and returns its combined output, shown only
// when it fails (mariadb-install-db is verbose and its advice does not apply
// here). The supervisor is not running yet, so Wait is safe.
func runQuiet(stdin *strings.Reader, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if stdin != nil {
		cmd.Stdin = stdin
	}
	err := cmd.Run()
	return out.Bytes(), err
}

// syncTree flushes the file system holding dir, so the rename that marks
// the data directory complete cannot reach the disk before its contents.
func syncTree(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s to sync it: %w", dir, err)
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s to sync it: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// checkDBLayout spots a data directory made by another image straight in
// /var/lib/mysql, which would otherwise be silently ignored.
func checkDBLayout() error {
	if _, err := os.Stat(filepath.Join(dbVolume, "mysql")); err == nil {
		return fmt.Errorf("%s holds a MariaDB data directory at its top; wpstack keeps it in %s: move its contents into a data/ subfolder", dbVolume, dbDataDir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("inspect %s: %w", dbVolume, err)
	}
	return nil
}
