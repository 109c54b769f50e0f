package container

import (
	"fmt"
	"os"
)

// checkNotSetuid refuses a binary installed setuid or setgid: PID 1 starts
// as root on purpose, but must never become root for an unprivileged caller.
func checkNotSetuid() error {
	if os.Getuid() != os.Geteuid() || os.Getgid() != os.Getegid() {
		return fmt.Errorf("refusing to run setuid/setgid (uid %d euid %d, gid %d egid %d): remove the bit with chmod u-s,g-s",
			os.Getuid(), os.Geteuid(), os.Getgid(), os.Getegid())
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return fmt.Errorf("stat own executable %s: %w", exe, err)
	}
	if fi.Mode()&(os.ModeSetuid|os.ModeSetgid) != 0 {
		return fmt.Errorf("refusing to run: %s is installed setuid/setgid (mode %s): remove the bit with chmod u-s,g-s", exe, fi.Mode())
	}
	return nil
}
