package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// Paths of the web image (internal/images/recipes/web).
const (
	webUser      = contract.WebUser
	webRoot      = contract.Webroot
	coreSource   = contract.CoreSource
	apacheBin    = "/usr/sbin/apache2"
	apacheVars   = "/etc/apache2/envvars"
	apacheRunDir = "/run/apache2"
)

// runWeb prepares the webroot and runs Apache as www-data. Any other
// command is run at once, as www-data (see classifyWeb).
func runWeb(logger *log.Logger, env environ, args []string) (int, error) {
	kind, apacheExtra := classifyWeb(args)
	if kind == runDirect {
		return execAs(env, webUser, apacheExtra)
	}
	if err := checkWebEnviron(env); err != nil {
		return 2, err
	}
	configured := wordpressConfigured(env)
	if err := linkConfig(configLink, configSource, configured); err != nil {
		return 1, err
	}
	acct, err := lookupAccount(webUser)
	if err != nil {
		return 1, err
	}
	env, err = prepareAsRoot(logger, env, acct, []ownedDir{
		{webRoot, 0o755},
		// On a cluster wp-content is a shared mount of its own, which the
		// check on webRoot alone would not reach.
		{webRoot + "/wp-content", 0o755},
		{apacheRunDir, 0o755},
		{contract.PHPRunDir, 0o755},
		{mailboxDir, 0o700},
	})
	if err != nil {
		return 1, err
	}
	if env, err = phpRuntime(env, contract.PHPRunDir); err != nil {
		return 2, err
	}
	if err := installCore(logger, coreTree(coreSource), webRoot); err != nil {
		return 1, err
	}
	if configured {
		if err := ensureKeys(logger, env, webRoot); err != nil {
			return 1, err
		}
		if err := waitForDatabase(logger, env); err != nil {
			return 1, err
		}
		createDatabase(logger, env)
	} else {
		logger.Print(wizardNote)
	}
	apacheEnv, err := apacheEnviron(env)
	if err != nil {
		return 1, err
	}
	sup := &Supervisor{
		Log: logger,
		Children: []ChildSpec{{
			Name: "apache2",
			Path: apacheBin,
			Args: append(apacheArgs(apacheEnv), apacheExtra...),
			Env:  apacheEnv.list(),
			Dir:  webRoot,
		}},
	}
	return sup.Run()
}

// installCore copies the image's WordPress into the webroot on first start.
// A core already there is never replaced by an older one (it may have been
// updated from wp-admin); an older one is upgraded to the image's, after a
// copy of it is saved (see upgradeCore).
func installCore(logger *log.Logger, src shippedCore, dst string) error {
	shipped, err := src.version()
	if err != nil {
		return fmt.Errorf("read the WordPress version shipped in %s: %w", src, err)
	}
	present, err := readWPVersion(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		logger.Printf("copying WordPress %s into %s", shipped, dst)
		return src.copyTo(dst)
	case err != nil:
		return fmt.Errorf("read the WordPress version in %s: %w", dst, err)
	}
	switch compareVersions(present, shipped) {
	case 1:
		logger.Printf("WordPress %s in %s is newer than the image's %s: keeping it", present, dst, shipped)
	case -1:
		return upgradeCore(logger, src, dst, present, shipped)
	}
	return nil
}

// waitForDatabase blocks until WORDPRESS_DB_HOST accepts connections, so
// the first request does not meet "Error establishing a database connection".
func waitForDatabase(logger *log.Logger, env environ) error {
	host, _, err := env.lookup(contract.EnvWPDBHost)
	if err != nil {
		return err
	}
	if host == "" {
		host = "mysql"
	}
	timeout, err := parseWait(env[contract.EnvDBWait])
	if err != nil {
		return err
	}
	if timeout == 0 {
		return nil
	}
	network, address := dbAddress(host)
	w := dbWaiter{
		Dial:     netDial,
		Log:      logger,
		Timeout:  timeout,
		Every:    time.Second,
		Report:   5 * time.Second,
		HostName: host,
	}
	if err := w.wait(context.Background(), network, address); err != nil {
		return err
	}
	logger.Printf("database %s is reachable", host)
	return nil
}

// apacheEnviron is env plus what apache2ctl would set from Debian's
// envvars, with the run, lock and pid paths in /run/apache2 (created above,
// owned by www-data, who runs Apache from the start).
func apacheEnviron(env environ) (environ, error) {
	f, err := os.Open(apacheVars)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", apacheVars, err)
	}
	defer f.Close()
	vars, err := parseEnvvars(f, func(name string) string { return env[name] })
	if err != nil {
		return nil, err
	}
	vars["APACHE_RUN_DIR"] = apacheRunDir
	vars["APACHE_LOCK_DIR"] = apacheRunDir
	vars["APACHE_PID_FILE"] = apacheRunDir + "/apache2.pid"
	// A pid file left by a killed container would make Apache refuse to
	// start when /run is not a tmpfs.
	if err := os.Remove(vars["APACHE_PID_FILE"]); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove stale %s: %w", vars["APACHE_PID_FILE"], err)
	}
	for k := range vars {
		if !strings.HasPrefix(k, "APACHE_") && k != "LANG" {
			delete(vars, k)
		}
	}
	proxies, err := trustedProxies(env[EnvTrustedProxies])
	if err != nil {
		return nil, err
	}
	// Always set, so values from elsewhere never reach Apache.
	for k, v := range proxyVars(proxies) {
		vars[k] = v
	}
	return env.with(vars), nil
}
