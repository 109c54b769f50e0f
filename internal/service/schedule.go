package service

import (
	"context"
	"encoding/json"
	"path"
	"strings"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// ScheduleOptions set or remove a site's backup schedule.
type ScheduleOptions struct {
	Name  string
	Every string // a Go duration, or "off"
	Keep  int    // 0 = site.DefaultBackupKeep
}

// Schedule stores the schedule in the site's spec and converges the site, so
// the backup service runs in the site's own stack (and comes back with
// `up`); with "off" the deploy removes the service the plan no longer has.
func (s *Service) Schedule(ctx context.Context, opts ScheduleOptions) (UpResult, error) {
	if err := s.requireSite(opts.Name); err != nil {
		return UpResult{}, err
	}
	unlock, err := s.store.Lock(ctx, opts.Name, nil)
	if err != nil {
		return UpResult{}, err
	}
	spec, err := s.store.Load(opts.Name)
	if err != nil {
		unlock()
		return UpResult{}, err
	}
	if opts.Every == "off" {
		spec.BackupEvery, spec.BackupKeep = "", 0
	} else {
		spec.BackupEvery, spec.BackupKeep = opts.Every, opts.Keep
		if spec.BackupKeep == 0 {
			spec.BackupKeep = site.DefaultBackupKeep
		}
	}
	if err := spec.Validate(); err != nil {
		unlock()
		return UpResult{}, err
	}
	if err := s.store.Save(spec); err != nil {
		unlock()
		return UpResult{}, err
	}
	unlock()
	return s.Up(ctx, UpOptions{Spec: site.Spec{Name: spec.Name}})
}

// ScheduledBackups reads the backup service's last run and its kept files.
// It returns nil for a site without a schedule.
func (s *Service) scheduledStatus(ctx context.Context, t target.Target, spec site.Spec) *backup.RunStatus {
	if spec.BackupEvery == "" {
		return nil
	}
	st := &backup.RunStatus{Every: spec.BackupEvery, Keep: spec.BackupKeep}
	service, user := backupHolder(spec)
	out, code, err := t.Exec(ctx, spec, service, user, []string{"cat", path.Join(plan.BackupsTarget, backup.StatusFile)})
	if err != nil || code != 0 {
		return st // not running, or no run finished yet
	}
	_ = json.Unmarshal([]byte(strings.TrimSpace(out)), st)
	return st
}

// ScheduledList lists the scheduled backups kept in the site's backup
// service, as container paths.
func (s *Service) ScheduledList(ctx context.Context, name string) ([]string, error) {
	if err := s.requireSite(name); err != nil {
		return nil, err
	}
	spec, err := s.store.Load(name)
	if err != nil || spec.BackupEvery == "" {
		return nil, err
	}
	t, err := s.open(ctx, spec)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	st := s.scheduledStatus(ctx, t, spec)
	service, _ := backupHolder(spec)
	var out []string
	for _, k := range st.Kept {
		out = append(out, spec.ContainerName(service)+":"+path.Join(plan.BackupsTarget, k))
	}
	return out, nil
}

// backupHolder is the service running a site's scheduled backups and the
// user its backup loop runs as.
func backupHolder(spec site.Spec) (service, user string) {
	if spec.Layout == site.LayoutAllInOne {
		return site.ServiceAllInOne, contract.WebUser
	}
	return site.ServiceBackup, contract.DBUser
}
