package site

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// systemFolders may never be a site's folder: the owner fix would hand
// them to the service user, and a restore would write into them.
var systemFolders = []string{
	"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
	"/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp",
	"/usr", "/usr/local", "/var", "/var/lib", "/var/log", "/var/tmp", "/var/www",
}

// systemTrees may not hold a site's folder anywhere below them either.
var systemTrees = []string{
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
	"/run", "/sbin", "/sys", "/usr", "/var/lib/docker",
}

// CheckFolder refuses a system folder as a site's folder (given with flag,
// e.g. --data-dir). The path is checked as given and as it resolves on
// this machine (its symlinks followed as far as it exists), so an alias
// such as a symlink to / is refused too.
func CheckFolder(flag, dir string) error {
	for _, p := range uniq(filepath.Clean(dir), Resolve(dir)) {
		for _, sys := range systemFolders {
			if p == sys {
				return folderErr(flag, dir, p, "is a system folder")
			}
		}
		for _, tree := range systemTrees {
			if Within(p, tree) {
				return folderErr(flag, dir, p, "is inside the system folder "+tree)
			}
		}
	}
	return nil
}

func folderErr(flag, dir, resolved, why string) error {
	what := dir
	if resolved != filepath.Clean(dir) {
		what = fmt.Sprintf("%s (%s)", dir, resolved)
	}
	return fmt.Errorf("%s %s %s: wpstack would change owners and write there; give a folder of its own, e.g. %s /srv/wp-SITE", flag, what, why, flag)
}

// Resolve follows the symlinks of an absolute path as far as it exists and
// appends the rest, so a folder not made yet resolves through its parents.
func Resolve(dir string) string {
	dir = filepath.Clean(dir)
	rest := ""
	for p := dir; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrPermission) {
			return dir
		}
		if p == "/" || p == "." {
			return dir
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// Within says whether p is dir or below it (both clean and absolute).
func Within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// Overlap says whether two folders are one, or one holds the other.
func Overlap(a, b string) bool { return Within(a, b) || Within(b, a) }

// Folders are the host folders a spec names, by flag.
func (s *Spec) Folders() map[string]string {
	out := map[string]string{}
	if s.DataDir != "" {
		out["--data-dir"] = s.DataDir
	}
	if s.SharedStorage != "" {
		out["--shared-storage"] = s.SharedStorage
	}
	return out
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}
