package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// BackupRow is `wpstack backup` and `wpstack restore` of a stack's main
// site, with an upload set added so the figures are not all overhead.
type BackupRow struct {
	Stack      string  `json:"stack"`
	UploadMB   float64 `json:"upload_set_mb"`
	RawMB      float64 `json:"raw_mb"`     // database dump + wp-content, as archived
	ArchiveMB  float64 `json:"archive_mb"` // the .wpbackup file
	BackupS    Summary `json:"backup_s"`
	RestoreS   Summary `json:"restore_s"`
	BackupMBs  Summary `json:"backup_mb_per_s"`
	RestoreMBs Summary `json:"restore_mb_per_s"`
}

// backupResult is the part of `wpstack backup --json` the bench reads.
type backupResult struct {
	Size     int64 `json:"size"`
	Manifest struct {
		Members []struct {
			Size int64 `json:"size"`
		} `json:"members"`
	} `json:"manifest"`
}

// backups measures backup and restore (into the same site, which takes a
// safety backup first, as a user's restore does) on every wpstack stack.
// The baseline has no backup command: the course rules out its host-cron
// mysqldump, so there is nothing to pair with.
func (b *bench) backups(ctx context.Context, stacks []stack, uploadMB int, work string) error {
	for _, st := range stacks {
		w, ok := st.(*wpstackStack)
		if !ok {
			continue
		}
		s := b.main[st]
		// Incompressible, like the photos that make most upload folders.
		if _, err := docker(ctx, "exec", "-u", "www-data", st.web(s.name), "sh", "-c",
			fmt.Sprintf("mkdir -p /var/www/html/wp-content/uploads/wpbench && head -c %d /dev/urandom > /var/www/html/wp-content/uploads/wpbench/set.bin", uploadMB*1000*1000)); err != nil {
			return fmt.Errorf("%s: add the upload set: %w", st.name(), err)
		}
		row := BackupRow{Stack: st.name(), UploadMB: float64(uploadMB)}
		var bs, rs, bt, rt []float64
		for rep := 0; rep < b.cfg.Reps; rep++ {
			file := filepath.Join(work, fmt.Sprintf("%s-%d.wpbackup", s.name, rep))
			start := time.Now()
			out, err := w.run(ctx, "backup", s.name, "-o", file, "--json")
			if err != nil {
				return err
			}
			bd := time.Since(start).Seconds()
			var res backupResult
			if err := json.Unmarshal(out, &res); err != nil {
				return fmt.Errorf("%s: backup --json: %w", st.name(), err)
			}
			var raw int64
			for _, m := range res.Manifest.Members {
				raw += m.Size
			}
			row.RawMB, row.ArchiveMB = float64(raw)/1e6, float64(res.Size)/1e6
			start = time.Now()
			if _, err := w.run(ctx, "restore", s.name, file); err != nil {
				return err
			}
			rd := time.Since(start).Seconds()
			b.log.Printf("%s: backup of %.1f MB in %.1fs, restore in %.1fs", st.name(), row.RawMB, bd, rd)
			bs, rs = append(bs, bd), append(rs, rd)
			bt, rt = append(bt, row.RawMB/bd), append(rt, row.RawMB/rd)
			_ = os.Remove(file)
		}
		row.BackupS, row.RestoreS, row.BackupMBs, row.RestoreMBs = summarize(bs), summarize(rs), summarize(bt), summarize(rt)
		b.res.Backup = append(b.res.Backup, row)
		// The restores' safety backups stay in the bench's own home,
		// removed with the work folder.
	}
	return nil
}
