package container

import (
	"errors"
	"log"
	"path/filepath"
)

// runCommand supervises any command as PID 1: `run [--user NAME] -- CMD
// [ARGS...]`. Signals go to the command's whole process group.
func runCommand(logger *log.Logger, env environ, args []string) (int, error) {
	var user string
	for len(args) > 0 && args[0] != "--" {
		switch {
		case args[0] == "--user" && len(args) > 1:
			user, args = args[1], args[2:]
		default:
			return 2, errors.New("usage: wpstack-init run [--user NAME] -- CMD [ARGS...]")
		}
	}
	if len(args) < 2 {
		return 2, errors.New("usage: wpstack-init run [--user NAME] -- CMD [ARGS...]")
	}
	cmd := args[1:]
	if user != "" {
		acct, err := lookupAccount(user)
		if err != nil {
			return 1, err
		}
		if env, err = prepareAsRoot(logger, env, acct, nil); err != nil {
			return 1, err
		}
	}
	sup := &Supervisor{
		Log: logger,
		Children: []ChildSpec{{
			Name:        filepath.Base(cmd[0]),
			Path:        cmd[0],
			Args:        cmd,
			Env:         env.list(),
			SignalGroup: true,
		}},
	}
	return sup.Run()
}
