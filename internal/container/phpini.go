package container

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// PHP's own variable naming extra folders of ini files to read after the
// SAPI's conf.d. mod_php reads it from Apache's environment at start, so
// the settings need no path with PHP's version in it (8.2 on bookworm, 8.4
// on trixie).
const phpIniScanDir = "PHP_INI_SCAN_DIR"

// phpRuntimeIni is the ini file PID 1 writes from the environment.
const phpRuntimeIni = "zz-wpstack-runtime.ini"

// msmtpBin and sendmailArgs: PHP pipes each message to sendmail_path, with
// recipients in its headers (-t, as PHP's default sendmail -t -i).
const msmtpBin = "/usr/bin/msmtp"

var (
	phpSizeRE = regexp.MustCompile(`^[1-9][0-9]{0,6}[KMGkmg]$`)
	phpSecsRE = regexp.MustCompile(`^[1-9][0-9]{0,4}$`)
	// safeMailboxDir needs no quoting in a shell command line.
	safeMailboxDir = regexp.MustCompile(`^[A-Za-z0-9/._-]+$`)
)

// phpRuntime writes dir/zz-wpstack-runtime.ini from the PHP_* and
// WPSTACK_SMTP_* variables (the mail transport always: msmtp when a relay
// is set, else the mailbox), and msmtp's configuration when a relay is set.
// It returns env with PHP_INI_SCAN_DIR appending dir to PHP's own folders.
// It runs as the service user, who owns dir: msmtp only reads a
// configuration its user owns.
func phpRuntime(env environ, dir string) (environ, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s for the PHP settings (mount a tmpfs on /run): %w", dir, err)
	}
	var b strings.Builder
	b.WriteString("; written by wpstack-init at start from the container's environment\n")
	for _, s := range []struct{ name, ini string }{
		{contract.EnvPHPMemoryLimit, "memory_limit"},
		{contract.EnvPHPUploadMax, "upload_max_filesize"},
		{contract.EnvPHPUploadMax, "post_max_size"},
	} {
		v := env[s.name]
		if v == "" {
			continue
		}
		if !phpSizeRE.MatchString(v) {
			return nil, fmt.Errorf("%s=%q is not a size: give a number with K, M or G, e.g. 64M", s.name, v)
		}
		fmt.Fprintf(&b, "%s = %s\n", s.ini, strings.ToUpper(v))
	}
	if v := env[contract.EnvPHPMaxExecTime]; v != "" {
		if !phpSecsRE.MatchString(v) {
			return nil, fmt.Errorf("%s=%q is not a number of seconds, e.g. 120", contract.EnvPHPMaxExecTime, v)
		}
		fmt.Fprintf(&b, "max_execution_time = %s\n", v)
	}
	sendmail := contract.InitBinary + " " + contract.RoleSendmail
	if dir := env[contract.EnvMailboxDir]; dir != "" {
		// It goes into sendmail_path, which PHP hands to a shell.
		if !filepath.IsAbs(dir) || filepath.Clean(dir) != dir || !safeMailboxDir.MatchString(dir) {
			return nil, fmt.Errorf("%s=%q: give the mailbox's absolute path (letters, digits, / . _ - only)", contract.EnvMailboxDir, dir)
		}
		sendmail += " --dir " + dir
	}
	if relay, err := smtpFromEnv(env); err != nil {
		return nil, err
	} else if relay != nil {
		conf := filepath.Join(dir, "msmtprc")
		if err := writePrivate(conf, []byte(relay.msmtprc())); err != nil {
			return nil, err
		}
		sendmail = msmtpBin + " -C " + conf + " -t"
	}
	fmt.Fprintf(&b, "sendmail_path = %s\n", strconv.Quote(sendmail))
	if err := writePrivate(filepath.Join(dir, phpRuntimeIni), []byte(b.String())); err != nil {
		return nil, err
	}
	// Apache (the parent) reads the ini; its children inherit the settings.
	if err := os.Chmod(filepath.Join(dir, phpRuntimeIni), 0o644); err != nil {
		return nil, fmt.Errorf("set mode of %s: %w", phpRuntimeIni, err)
	}
	// An empty entry is PHP's own folder: the image's conf.d stays read
	// first, so these values win over it.
	scan := env[phpIniScanDir] + ":" + dir
	return env.with(map[string]string{phpIniScanDir: scan}), nil
}

// writePrivate replaces path with data, mode 0600.
func writePrivate(path string, data []byte) error {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
