package container

import (
	"fmt"
	"os/user"
	"strconv"
	"syscall"
)

// account is a service user as found in /etc/passwd and /etc/group.
type account struct {
	Name   string
	UID    int
	GID    int
	Groups []int
	Home   string
}

func lookupAccount(name string) (account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return account{}, fmt.Errorf("look up user %s: %w", name, err)
	}
	a := account{Name: u.Username, Home: u.HomeDir}
	if a.UID, err = strconv.Atoi(u.Uid); err != nil {
		return account{}, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	if a.GID, err = strconv.Atoi(u.Gid); err != nil {
		return account{}, fmt.Errorf("user %s: gid %q: %w", name, u.Gid, err)
	}
	gids, err := u.GroupIds()
	if err != nil {
		return account{}, fmt.Errorf("user %s: groups: %w", name, err)
	}
	a.Groups = []int{a.GID}
	for _, g := range gids {
		n, err := strconv.Atoi(g)
		if err != nil {
			return account{}, fmt.Errorf("user %s: group id %q: %w", name, g, err)
		}
		if n != a.GID {
			a.Groups = append(a.Groups, n)
		}
	}
	return a, nil
}

// dropPrivileges switches the whole process to the account for good, in the
// order that leaves no way back: supplementary groups, then gid, then uid
// (after setuid the process could no longer change its groups). The
// syscall package versions act on every thread of the Go runtime. It
// returns env with HOME set for the account.
func dropPrivileges(a account, env environ) (environ, error) {
	if syscall.Getuid() != 0 {
		if syscall.Getuid() == a.UID {
			return env.with(map[string]string{"HOME": a.Home}), nil
		}
		return nil, fmt.Errorf("switch to user %s: running as uid %d, not root: start the container as root (no --user)", a.Name, syscall.Getuid())
	}
	if err := syscall.Setgroups(a.Groups); err != nil {
		return nil, fmt.Errorf("switch to user %s: setgroups %v: %w", a.Name, a.Groups, err)
	}
	if err := syscall.Setgid(a.GID); err != nil {
		return nil, fmt.Errorf("switch to user %s: setgid %d: %w", a.Name, a.GID, err)
	}
	if err := syscall.Setuid(a.UID); err != nil {
		return nil, fmt.Errorf("switch to user %s: setuid %d: %w", a.Name, a.UID, err)
	}
	if syscall.Getuid() == 0 || syscall.Geteuid() == 0 {
		return nil, fmt.Errorf("switch to user %s: still uid 0 after setuid", a.Name)
	}
	if a.UID != 0 && syscall.Setuid(0) == nil {
		return nil, fmt.Errorf("switch to user %s: root could be regained after setuid", a.Name)
	}
	return env.with(map[string]string{"HOME": a.Home}), nil
}
