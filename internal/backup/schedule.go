package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/atomicfile"
)

// StatusFile, in the backups folder, records the last scheduled run; the
// service's health check and `wpstack status` read it.
const StatusFile = ".status.json"

// RunStatus is the content of StatusFile.
type RunStatus struct {
	LastRun     time.Time `json:"last_run"`
	LastSuccess time.Time `json:"last_success,omitempty"`
	LastFile    string    `json:"last_file,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	Every       string    `json:"every"`
	Keep        int       `json:"keep"`
	Kept        []string  `json:"kept"`
}

// RunOptions describe one scheduled run.
type RunOptions struct {
	Site, Dir, WpstackVersion, Every string
	Keep                             int
}

// RunScheduled takes one backup into Dir, prunes to the newest Keep,
// and records the outcome in StatusFile. It returns the run's error too.
func RunScheduled(ctx context.Context, src Source, opts RunOptions) (RunStatus, error) {
	st, _ := ReadStatus(opts.Dir)
	st.LastRun, st.Every, st.Keep = time.Now().UTC(), opts.Every, opts.Keep
	removePartials(opts.Dir) // left by a run that was killed
	path := filepath.Join(opts.Dir, opts.Site+"-"+st.LastRun.Format("20060102-150405")+Extension)
	_, _, err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := Create(ctx, src, w, CreateOptions{Site: opts.Site, WpstackVersion: opts.WpstackVersion,
			// The container's log is where a scheduled run speaks.
			Skipped: func(name, why string) { fmt.Fprintf(os.Stderr, "wpstack: backup left out %s: %s\n", name, why) }})
		return err
	})
	if err == nil {
		st.LastSuccess, st.LastFile, st.LastError = st.LastRun, filepath.Base(path), ""
	} else {
		st.LastError = err.Error()
	}
	kept, perr := Prune(opts.Dir, opts.Site, opts.Keep)
	st.Kept = kept
	if err == nil && perr != nil {
		err = perr
		st.LastError = perr.Error()
	}
	if werr := writeStatus(opts.Dir, st); err == nil {
		err = werr
	}
	return st, err
}

// Prune deletes all but the newest keep backups of site in dir (names sort
// by time) and returns the names kept, newest first.
func Prune(dir, site string, keep int) ([]string, error) {
	names, err := List(dir, site)
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		if i >= keep {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return names[:keep], fmt.Errorf("prune old backup %s: %w", n, err)
			}
		}
	}
	if len(names) > keep {
		names = names[:keep]
	}
	return names, nil
}

// List returns the complete backups of site in dir, newest first.
func List(dir, site string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", dir, err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && !IsPartial(n) && strings.HasPrefix(n, site+"-") && strings.HasSuffix(n, Extension) {
			names = append(names, n)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	return names, nil
}

func removePartials(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if IsPartial(e.Name()) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// ReadStatus reads StatusFile; a missing file is the zero status.
func ReadStatus(dir string) (RunStatus, error) {
	var st RunStatus
	b, err := os.ReadFile(filepath.Join(dir, StatusFile))
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

func writeStatus(dir string, st RunStatus) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, StatusFile), b, 0o644); err != nil {
		return fmt.Errorf("write backup status: %w", err)
	}
	return nil
}
