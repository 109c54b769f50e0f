package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wpstack/wpstack/internal/contract"
)

// The official image's health check interface: a `healthcheck` account on
// localhost, 127.0.0.1 and ::1 whose password is in a client option file
// in the volume, read by healthcheck.sh. wpstack's own check (`wpstack-init
// health db`) does not need it; compose files and orchestrators written for
// the official image call `healthcheck.sh --connect --innodb_initialized`.
const (
	healthcheckUser = "healthcheck"
	// HealthcheckCnf is where the official image keeps the option file:
	// the top of the volume (its data directory; ours is data/ below it).
	healthcheckCnf = dbVolume + "/.my-healthcheck.cnf"
	// HealthcheckName is the program name that runs Healthcheck (a
	// symlink to wpstack-init in the db image).
	HealthcheckName = "healthcheck.sh" // base name of contract.HealthcheckScript
)

// healthcheckSQL creates the healthcheck accounts with grants (USAGE by
// default), for --bootstrap.
func healthcheckSQL(password, grants string) string {
	var b strings.Builder
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		h := sqlString(host)
		fmt.Fprintf(&b, "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s;\n", sqlString(healthcheckUser), h, sqlString(password))
		fmt.Fprintf(&b, "GRANT %s ON *.* TO %s@%s;\n", grants, sqlString(healthcheckUser), h)
	}
	return b.String()
}

// writeHealthcheckCnf writes the option file healthcheck.sh reads, mode
// 0600 for the service user only; atomically, so a start killed midway
// leaves the old file or none.
func writeHealthcheckCnf(path, password string, port int) error {
	body := fmt.Sprintf("[mariadb-client]\nport=%d\nsocket=%s\nuser=%s\npassword=%s\nprotocol=tcp\n",
		port, dbSocket, healthcheckUser, password)
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// serverPort is the port the server listens on: the last --port of the
// container's options, else the image's.
func serverPort(extra []string) int {
	port := contract.DBPort
	for i, a := range extra {
		v, ok := strings.CutPrefix(a, "--port=")
		if !ok && a == "--port" && i+1 < len(extra) {
			v, ok = extra[i+1], true
		}
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 {
			port = n
		}
	}
	return port
}

// initCompat adds to a data directory being initialised what the official
// image also makes: the healthcheck accounts with their option file, and
// the time zone tables unless MARIADB_INITDB_SKIP_TZINFO.
func initCompat(logger *log.Logger, env environ, dataDir string, extra []string) error {
	skipTZ, err := dbFlag(env, "INITDB_SKIP_TZINFO")
	if err != nil {
		return err
	}
	grants, err := healthcheckGrants(env)
	if err != nil {
		return err
	}
	password, err := randomPassword(32)
	if err != nil {
		return err
	}
	if err := bootstrapCompat(context.Background(), dataDir, extra, healthcheckSQL(password, grants), skipTZ); err != nil {
		return err
	}
	if skipTZ {
		logger.Print("time zone tables not loaded (INITDB_SKIP_TZINFO)")
	}
	return writeHealthcheckCnf(healthcheckCnf, password, serverPort(extra))
}

// Healthcheck is healthcheck.sh: the official image's health check script,
// for the same arguments. Tests run in the order given; the first failing
// one ends it with 1. Unless a connect test passed (or --no-connect), a
// connect test runs last and decides.
//
//	--connect                    the server answers on the network (TCP)
//	--innodb_initialized         InnoDB is up
//	--innodb_buffer_pool_loaded  the buffer pool dump is loaded
//	--mariadbupgrade             no mariadb-upgrade holds the data directory
//	--su=USER, --su USER, --su-mysql
//	                             run as USER (as mysql without it when
//	                             started as root: never as root)
//	--datadir=DIR, --no-defaults, --defaults-file=F,
//	--defaults-extra-file=F, --defaults-group-suffix=S, --no-connect
func Healthcheck(args []string) int {
	h := &healthcheck{Stderr: os.Stderr, Env: environFromOS()}
	return h.run(args)
}

type healthcheck struct {
	Stderr io.Writer
	Env    environ
	// client runs the mariadb client with args and returns its output;
	// tests replace it.
	client func(ctx context.Context, args ...string) (string, error)
	// switchUser drops to a user (dropPrivileges); tests replace it.
	switchUser func(user string) error

	defaults  []string // --no-defaults / --defaults-* for the client
	datadir   string
	connected bool
	noConnect bool
	dropped   bool // running as the user asked for (or mysql)
}

func (h *healthcheck) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(h.Stderr, "At least one argument required")
		return 1
	}
	h.reset()
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, bool) {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				return args[i], true
			}
			return "", false
		}
		var test string
		switch {
		case a == "--su-mysql" || a == "--su" || strings.HasPrefix(a, "--su="):
			user := dbUser
			if v, ok := strings.CutPrefix(a, "--su="); ok {
				user = v
			} else if a == "--su" {
				v, ok := next()
				if !ok {
					fmt.Fprintln(h.Stderr, "--su needs a user name")
					return 1
				}
				user = v
			}
			if err := h.become(user); err != nil {
				fmt.Fprintln(h.Stderr, err)
				return 1
			}
			h.dropped = true
			// As the official script re-runs itself: earlier options go.
			h.reset()
		case strings.HasPrefix(a, "--datadir="):
			h.datadir = strings.TrimPrefix(a, "--datadir=")
		case a == "--datadir":
			v, _ := next()
			h.datadir = v
		case a == "--no-defaults":
			h.defaults = []string{"--no-defaults"}
		case strings.HasPrefix(a, "--defaults-file=") || strings.HasPrefix(a, "--defaults-extra-file=") || strings.HasPrefix(a, "--defaults-group-suffix="):
			h.setDefault(a)
		case a == "--defaults-file" || a == "--defaults-extra-file" || a == "--defaults-group-suffix":
			v, _ := next()
			h.setDefault(a + "=" + v)
		case a == "--no-connect":
			h.noConnect = true
		case strings.HasPrefix(a, "--replication") || a == "--galera_online" || a == "--galera_ready":
			fmt.Fprintf(h.Stderr, "healthcheck %s: not available (this image runs neither replication checks nor Galera)\n", strings.TrimPrefix(a, "--"))
			return 1
		case strings.HasPrefix(a, "--"):
			test = strings.TrimPrefix(a, "--")
		default:
			fmt.Fprintf(h.Stderr, "Unknown healthcheck option %s\n", a)
			return 1
		}
		if test == "" {
			continue
		}
		check, ok := h.tests()[test]
		if !ok {
			fmt.Fprintf(h.Stderr, "healthcheck unknown option or test '%s'\n", test)
			return 1
		}
		if err := check(); err != nil {
			fmt.Fprintf(h.Stderr, "healthcheck %s failed: %v\n", test, err)
			return 1
		}
	}
	if h.connected || h.noConnect {
		return 0
	}
	if err := h.connect(); err != nil {
		fmt.Fprintf(h.Stderr, "healthcheck connect failed: %v\n", err)
		return 1
	}
	return 0
}

func (h *healthcheck) reset() {
	h.defaults, h.datadir, h.connected, h.noConnect = nil, dbDataDir, false, false
	if _, err := os.Stat(healthcheckCnf); err == nil {
		h.defaults = []string{"--defaults-extra-file=" + healthcheckCnf}
	}
}

// setDefault replaces the --defaults-* option of the same kind.
func (h *healthcheck) setDefault(opt string) {
	kind, _, _ := strings.Cut(opt, "=")
	kept := []string{}
	for _, d := range h.defaults {
		if d != "--no-defaults" && !strings.HasPrefix(d, kind+"=") {
			kept = append(kept, d)
		}
	}
	// The client wants --defaults-file / --defaults-extra-file first.
	h.defaults = append([]string{opt}, kept...)
}

// become drops to user; as root without --su the first client call drops
// to mysql anyway (dropToService).
func (h *healthcheck) become(user string) error {
	if h.switchUser != nil {
		return h.switchUser(user)
	}
	acct, err := lookupAccount(user)
	if err != nil {
		return err
	}
	env, err := dropPrivileges(acct, h.Env)
	if err != nil {
		return err
	}
	h.Env = env
	return nil
}

func (h *healthcheck) dropToService() error {
	if h.dropped || os.Geteuid() != 0 && h.switchUser == nil {
		return nil
	}
	if err := h.become(dbUser); err != nil {
		return err
	}
	h.dropped = true
	return nil
}

func (h *healthcheck) tests() map[string]func() error {
	return map[string]func() error{
		"connect":                   h.connect,
		"innodb_initialized":        h.innodbInitialized,
		"innodb_buffer_pool_loaded": h.bufferPoolLoaded,
		"mariadbupgrade":            h.mariadbUpgrade,
	}
}

func (h *healthcheck) sql(query string, extra ...string) (string, error) {
	if err := h.dropToService(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	args := append(append([]string{}, h.defaults...), extra...)
	args = append(args, "--batch", "--skip-column-names", "-e", query)
	run := h.client
	if run == nil {
		run = h.runClient
	}
	out, err := run(ctx, args...)
	return strings.TrimSpace(out), err
}

func (h *healthcheck) runClient(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, mariadbShell, args...)
	cmd.Env = h.Env.list()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// connectErrors are client errors that mean the server answered on TCP:
// the account may be refused (28000), locked, expired or over a limit.
var connectErrors = regexp.MustCompile(`^ERROR (1820 \(HY000\)|4151 \(HY000\)|1226 \(42000\)|1\d\d\d \(28000\))`)

// connect passes when the server is the real one, listening on the network:
// the temporary server of the initialisation runs with skip-networking.
func (h *healthcheck) connect() error {
	out, err := h.sql("select @@skip_networking", "--protocol=socket")
	if err == nil {
		switch out {
		case "0":
			h.connected = true
			return nil
		case "1":
			return errors.New("the server runs with skip-networking (initialisation in progress)")
		}
	}
	out, _ = h.sql("select @@skip_networking", "-hlocalhost", "--protocol=tcp", "--skip-print-query-on-error")
	switch {
	case out == "0", connectErrors.MatchString(out):
		h.connected = true
		return nil
	case out == "1":
		return errors.New("the server runs with skip-networking")
	}
	return fmt.Errorf("no answer over the socket or TCP: %s", firstLine(out))
}

func (h *healthcheck) innodbInitialized() error {
	out, err := h.sql("select 1 from information_schema.ENGINES WHERE engine='innodb' AND support in ('YES', 'DEFAULT', 'ENABLED')", "--protocol=socket")
	if err != nil || out != "1" {
		return fmt.Errorf("InnoDB is not available: %s", firstLine(out))
	}
	return nil
}

func (h *healthcheck) bufferPoolLoaded() error {
	out, err := h.sql("select VARIABLE_VALUE from information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='Innodb_buffer_pool_load_status'", "--protocol=socket")
	if err != nil || !strings.Contains(out, "load completed") {
		return fmt.Errorf("buffer pool load: %s", firstLine(out))
	}
	return nil
}

// mariadbUpgrade fails while mariadb-upgrade holds the lock on
// mysql_upgrade_info (MDEV-27068).
func (h *healthcheck) mariadbUpgrade() error {
	if err := h.dropToService(); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(h.datadir, "mysql_upgrade_info"))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return fmt.Errorf("mariadb-upgrade is running (%s is locked)", f.Name())
	}
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
