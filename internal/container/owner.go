package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
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
	changed := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if ownedBy(info, uid, gid) {
			return nil
		}
		if err := os.Lchown(path, uid, gid); err != nil {
			return err
		}
		changed++
		return nil
	})
	if err != nil {
		return changed, fmt.Errorf("set owner of %s to %d:%d: %w", dir, uid, gid, err)
	}
	return changed, nil
}

func ownedBy(fi fs.FileInfo, uid, gid int) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid && int(st.Gid) == gid
}
