// Package atomicfile writes a file so that a reader, or the next start
// after a crash, sees either the old content or the new, never a part:
// a temp file in the same folder, fsynced, renamed (or linked) into place,
// then the folder fsynced so the new name is durable too.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Options tune WriteWith.
type Options struct {
	// Mode of the new file (default 0o600: the caller widens it on purpose).
	Mode fs.FileMode
	// TempPattern names the temp file in path's folder, as os.CreateTemp's
	// pattern (default "."+base+".tmp*"). A caller that recognises its own
	// leftovers after a crash gives its prefix here.
	TempPattern string
	// NoReplace links the temp file into place instead of renaming it, so
	// an existing path is kept and the write fails with fs.ErrExist.
	NoReplace bool
}

// Write puts data at path atomically with mode.
func Write(path string, data []byte, mode fs.FileMode) error {
	return WriteWith(path, Options{Mode: mode}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith puts what fill writes at path atomically. An error of fill is
// returned as it is; nothing is left at path or in the temp file then.
func WriteWith(path string, opts Options, fill func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	pattern := opts.TempPattern
	if pattern == "" {
		pattern = "." + base + ".tmp*"
	}
	mode := opts.Mode
	if mode == 0 {
		mode = 0o600
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return fmt.Errorf("write %s: create a temp file in %s: %w", path, dir, err)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if !closed {
			f.Close()
		}
		// Gone after a rename; after a link or a failure, only a leftover.
		os.Remove(tmp)
	}()
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: set mode of %s: %w", path, tmp, err)
	}
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: flush %s to disk: %w", path, tmp, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: close %s: %w", path, tmp, err)
	}
	if opts.NoReplace {
		// Link fails if the name exists, where rename would replace it.
		if err := os.Link(tmp, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("write %s: %w", path, fs.ErrExist)
			}
			return fmt.Errorf("write %s: link %s: %w", path, tmp, err)
		}
	} else if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: rename %s: %w", path, tmp, err)
	}
	return syncDir(dir)
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s to flush it: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("flush folder %s to disk: %w", dir, err)
	}
	return nil
}
