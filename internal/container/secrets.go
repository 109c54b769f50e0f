package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/wpstack/wpstack/internal/contract"
)

// secretsDir holds the service user's copies of the *_FILE secrets. Docker
// mounts secrets root-owned (and host files keep the host's owner and 0600),
// so after the privilege drop the originals may be unreadable.
const secretsDir = contract.CopiedSecretsDir

// maxSecretSize keeps a mistaken *_FILE (a log, a dump) from filling /run.
const maxSecretSize = 1 << 20

// secretVars lists the *_FILE variables of env whose file exists, sorted.
func secretVars(env environ) []string {
	var names []string
	for k, v := range env {
		if !strings.HasSuffix(k, "_FILE") || len(k) == len("_FILE") || v == "" {
			continue
		}
		if fi, err := os.Stat(v); err == nil && fi.Mode().IsRegular() {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// copySecrets copies each existing *_FILE secret to dir/<NAME> (NAME without
// _FILE), owned by uid:gid with mode 0400, and returns env with the
// variables pointing at the copies.
func copySecrets(env environ, dir string, uid, gid int) (environ, error) {
	vars := secretVars(env)
	if len(vars) == 0 {
		return env, nil
	}
	// The parents stay traversable; only dir itself is private.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(dir), err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("set owner of %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("set mode of %s: %w", dir, err)
	}
	updates := make(map[string]string, len(vars))
	for _, name := range vars {
		src := env[name]
		dst := filepath.Join(dir, strings.TrimSuffix(name, "_FILE"))
		if src == dst {
			continue
		}
		if err := copySecret(src, dst, uid, gid); err != nil {
			return nil, fmt.Errorf("copy secret %s (%s): %w", name, src, err)
		}
		updates[name] = dst
	}
	return env.with(updates), nil
}

func copySecret(src, dst string, uid, gid int) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if fi.Size() > maxSecretSize {
		return fmt.Errorf("larger than %d bytes: is it the right file?", maxSecretSize)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	// Remove first: an old 0400 copy from a previous start cannot be opened
	// for writing by the service user, and O_EXCL guarantees our mode.
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chown(uid, gid); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// onTmpfs reports whether dir is on a tmpfs, where secret copies never
// reach a disk.
func onTmpfs(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false
	}
	return st.Type == unix.TMPFS_MAGIC
}
