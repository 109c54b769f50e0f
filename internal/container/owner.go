package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ensureOwned makes sure dir exists and belongs to uid:gid. When the top is
// already right nothing below is visited: a large webroot or data folder
// must not be walked on every start. When it is wrong (a host folder
// bind-mounted for the first time), only the entries whose owner is wrong are
// changed. It returns how many existing entries it changed.
func ensureOwned(dir string, uid, gid int, mode os.FileMode) (int, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, mode); err != nil {
			return 0, fmt.Errorf("create %s: %w", dir, err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return 0, fmt.Errorf("set owner of %s: %w", dir, err)
		}
		// MkdirAll's mode went through the umask.
		if err := os.Chmod(dir, mode); err != nil {
			return 0, fmt.Errorf("set mode of %s: %w", dir, err)
		}
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return 0, fmt.Errorf("%s is not a directory", dir)
	}
	if ownedBy(fi, uid, gid) {
		return 0, nil
	}
	// The folder may be written by the site while it is walked: every step
	// is relative to an open directory and never follows a symlink, so no
	// rename or symlink swap can send a chown outside it.
	top, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", dir, err)
	}
	changed, err := chownTree(top, uid, gid)
	if err != nil {
		return changed, fmt.Errorf("set owner of %s to %d:%d: %w", dir, uid, gid, err)
	}
	return changed, nil
}

// chownTree sets uid:gid on the open directory dirfd and on everything
// below it whose owner is wrong, and closes dirfd. An entry removed or
// replaced during the walk is skipped or taken as what it is now: a
// directory swapped for a symlink gets its own owner changed, nothing the
// link points to.
func chownTree(dirfd, uid, gid int) (int, error) {
	d := os.NewFile(uintptr(dirfd), "dir")
	defer d.Close()
	changed := 0
	var st unix.Stat_t
	if err := unix.Fstat(dirfd, &st); err != nil {
		return changed, err
	}
	if int(st.Uid) != uid || int(st.Gid) != gid {
		if err := unix.Fchown(dirfd, uid, gid); err != nil {
			return changed, err
		}
		changed++
	}
	for {
		names, err := d.Readdirnames(1024)
		for _, name := range names {
			n, err := chownEntry(dirfd, name, uid, gid)
			changed += n
			if err != nil {
				return changed, fmt.Errorf("%s: %w", name, err)
			}
		}
		if err == io.EOF || (err == nil && len(names) == 0) {
			return changed, nil
		}
		if err != nil {
			return changed, err
		}
	}
}

func chownEntry(dirfd int, name string, uid, gid int) (int, error) {
	var st unix.Stat_t
	err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return 0, nil // gone since the directory was read
	}
	if err != nil {
		return 0, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		switch {
		case err == nil:
			return chownTree(fd, uid, gid)
		case errors.Is(err, unix.ENOENT):
			return 0, nil
		case !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.ENOTDIR):
			return 0, err
		}
		// Replaced by a symlink or a file since the stat: fall through and
		// change the entry itself.
		if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				return 0, nil
			}
			return 0, err
		}
	}
	if int(st.Uid) == uid && int(st.Gid) == gid {
		return 0, nil
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR && st.Nlink > 1 {
		// A hard link may name a file outside the folder: its owner is
		// not the folder's to change.
		return 0, nil
	}
	err = unix.Fchownat(dirfd, name, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return 1, nil
}

func ownedBy(fi fs.FileInfo, uid, gid int) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid && int(st.Gid) == gid
}
