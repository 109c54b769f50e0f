package container

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// commandKind is what the container's arguments ask for, as the official
// images' entrypoints read them: the server (which gets the start-up work),
// the server binary with an option that only prints something, or any
// other program, run at once.
type commandKind int

const (
	runServer commandKind = iota // start-up work, then the server
	runDirect                    // exec the command as is, no start-up work
)

// dbServerNames are the names the official mariadb/mysql images accept for
// the server as the first argument.
var dbServerNames = map[string]bool{"mariadbd": true, "mysqld": true}

// classifyDB reads the db role's arguments: none, options only
// (`--log-bin`), or `mariadbd|mysqld [OPTIONS]` run the server with the
// options; the same with an option that stops the server at once
// (--help, --version, ...) runs just that; anything else (`mariadb
// --version`, `bash`) is run as given. It returns the server options for
// runServer and the argv for runDirect.
func classifyDB(args []string) (commandKind, []string) {
	if len(args) == 0 {
		return runServer, nil
	}
	if strings.HasPrefix(args[0], "-") {
		args = append([]string{"mariadbd"}, args...)
	}
	if !dbServerNames[args[0]] {
		return runDirect, args
	}
	if serverWantsHelp(args[1:]) {
		// The image's own server binary, whatever name was given.
		return runDirect, append([]string{mariadbd}, args[1:]...)
	}
	return runServer, args[1:]
}

// serverWantsHelp reports an option after which mariadbd prints and exits:
// the data directory must not be initialised for it.
func serverWantsHelp(opts []string) bool {
	for _, a := range opts {
		switch a {
		case "-?", "--help", "--print-defaults", "-V", "--version":
			return true
		}
	}
	return false
}

// classifyWeb reads the web role's arguments: none or `apache2-foreground
// [APACHE OPTIONS]` (the official image's command) run Apache after the
// start-up work; anything else (`php -v`, `bash`) is run as given.
func classifyWeb(args []string) (commandKind, []string) {
	if len(args) == 0 {
		return runServer, nil
	}
	if args[0] == "apache2-foreground" {
		return runServer, args[1:]
	}
	return runDirect, args
}

// execAs replaces PID 1 with argv, as the official entrypoints' `exec "$@"`
// does, after dropping to the service user when started as root: nothing
// is prepared, waited for or initialised. A container started as another
// user runs the command as that user.
func execAs(env environ, user string, argv []string) (int, error) {
	if os.Geteuid() == 0 {
		acct, err := lookupAccount(user)
		if err != nil {
			return 1, err
		}
		if env, err = dropPrivileges(acct, env); err != nil {
			return 1, err
		}
	}
	path, err := lookPath(argv[0], env["PATH"])
	if err != nil {
		return 127, err
	}
	err = syscall.Exec(path, argv, env.list())
	return 126, fmt.Errorf("run %s: %w", argv[0], err)
}

// lookPath finds name in the PATH given (the container's), as a shell would.
func lookPath(name, pathList string) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("run %s: %w", name, err)
		}
		return name, nil
	}
	if pathList == "" {
		pathList = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for _, dir := range strings.Split(pathList, ":") {
		if dir == "" {
			continue
		}
		p := dir + "/" + name
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("run %s: %w (PATH=%s)", name, exec.ErrNotFound, pathList)
}
