package container

import (
	"fmt"
	"log"
	"os"
)

// ownedDir is a folder the service user must own, created when missing.
type ownedDir struct {
	path string
	mode os.FileMode
}

// prepareAsRoot does the few things that need root, then drops to acct for
// good: folder ownership, stdio ownership, secret copies.
func prepareAsRoot(logger *log.Logger, env environ, acct account, dirs []ownedDir) (environ, error) {
	if os.Geteuid() == 0 {
		for _, d := range dirs {
			n, err := ensureOwned(d.path, acct.UID, acct.GID, d.mode)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				logger.Printf("%s: set owner %s on %d entries", d.path, acct.Name, n)
			}
		}
		if err := giveStdio(acct.UID, acct.GID); err != nil {
			return nil, fmt.Errorf("give stdout/stderr to %s: %w", acct.Name, err)
		}
		var err error
		if env, err = copySecrets(env, secretsDir, acct.UID, acct.GID); err != nil {
			return nil, err
		}
		if len(secretVars(env)) > 0 && !onTmpfs(secretsDir) {
			logger.Printf("note: %s is not on a tmpfs; secret copies live in the container's writable layer (mount a tmpfs on /run to avoid it)", secretsDir)
		}
	}
	return dropPrivileges(acct, env)
}
