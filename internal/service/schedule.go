package service

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/engine"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/swarm"
)

// ScheduleOptions set or remove a site's backup schedule.
type ScheduleOptions struct {
	Name  string
	Every string // a Go duration, or "off"
	Keep  int    // 0 = site.DefaultBackupKeep
}

// Schedule stores the schedule in the site's spec and converges the site, so
// the backup service runs in the site's own stack (and comes back with `up`).
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
	if opts.Every == "off" {
		// The service goes before the spec forgets it, so `up` leaves no orphan.
		if err := s.removeBackupService(ctx, spec); err != nil {
			unlock()
			return UpResult{}, err
		}
	}
	if err := s.store.Save(spec); err != nil {
		unlock()
		return UpResult{}, err
	}
	unlock()
	return s.Up(ctx, UpOptions{Spec: site.Spec{Name: spec.Name}})
}

func (s *Service) removeBackupService(ctx context.Context, spec site.Spec) error {
	if spec.Layout == site.LayoutAllInOne {
		return nil // the loop is a child of the one container, re-created by up
	}
	if spec.Target == site.TargetSwarm {
		// A deploy never removes a service the stack no longer has.
		t, err := s.connectSwarm(ctx)
		if err != nil {
			return err
		}
		defer t.cli.Close()
		name := swarm.ServiceName(spec.StackName(), site.ServiceBackup)
		if err := t.cli.ServiceRemove(ctx, name); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove the backup service %s: %w", name, err)
		}
		events.Emit(ctx, "service "+name, events.Done, "removed (schedule off; the backups volume is kept on the database's node)")
		return nil
	}
	_, cli, err := s.engine(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	name := spec.ContainerName(site.ServiceBackup)
	if err := cli.ContainerRemove(ctx, name, container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove the backup service %s: %w", name, err)
	}
	events.Emit(ctx, "container "+name, events.Done, "removed (schedule off; the backups volume is kept)")
	return nil
}

// ScheduledBackups reads the backup service's last run and its kept files.
// It returns nil for a site without a schedule.
func (s *Service) scheduledStatus(ctx context.Context, eng *engine.Engine, spec site.Spec) *backup.RunStatus {
	if spec.BackupEvery == "" {
		return nil
	}
	st := &backup.RunStatus{Every: spec.BackupEvery, Keep: spec.BackupKeep}
	name, user := backupHolder(spec)
	out, code, err := eng.Exec(ctx, name, user, []string{"cat", path.Join(plan.BackupsTarget, backup.StatusFile)})
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
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	st := s.scheduledStatus(ctx, eng, spec)
	var out []string
	for _, k := range st.Kept {
		name, _ := backupHolder(spec)
		out = append(out, name+":"+path.Join(plan.BackupsTarget, k))
	}
	return out, nil
}

// backupHolder is the container running a site's scheduled backups and the
// user its backup loop runs as.
func backupHolder(spec site.Spec) (name, user string) {
	if spec.Layout == site.LayoutAllInOne {
		return spec.ContainerName(site.ServiceAllInOne), "www-data"
	}
	return spec.ContainerName(site.ServiceBackup), "mysql"
}
