package container

import (
	"errors"

	"golang.org/x/sys/unix"
)

// giveStdio makes PID 1's stdin/stdout/stderr (the pipes Docker reads the
// log from) belong to the service user, as runc does for `docker run --user`.
// Without it a service that reopens /proc/self/fd/1 or /dev/stdout after the
// privilege drop (Apache's ErrorLog and CustomLog do) gets EACCES: a pipe
// inode is mode 0600 and owned by its creator, root.
func giveStdio(uid, gid int) error {
	for fd := 0; fd <= 2; fd++ {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			continue // closed descriptor: nothing to give
		}
		// /dev/null and the like are shared device nodes: leave them alone.
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && unix.Major(st.Rdev) == 1 {
			continue
		}
		if int(st.Uid) == uid && int(st.Gid) == gid {
			continue
		}
		if err := unix.Fchown(fd, uid, gid); err != nil {
			// Read-only or foreign files: the service still may log.
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EROFS) {
				continue
			}
			return err
		}
	}
	return nil
}
