package service

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
)

// labelSnapshot marks the volumes holding a site's data from before an
// upgrade; they carry the site's labels too, so destroy removes them.
const labelSnapshot = contract.LabelUpgradeSnapshot

// snapshots are copies of a stopped site's data (its db and html volumes
// or data-dir folders), kept in volumes of their own until an upgrade has
// succeeded: a MariaDB major upgrade cannot be undone on the files, so a
// rollback puts the copies back.
type snapshots struct {
	cli   client.APIClient
	spec  site.Spec
	image string // any image with a POSIX shell and cp -a: the site's db image
	taken bool
}

func (s snapshots) parts() []string { return []string{plan.VolumeDB, plan.VolumeHTML} }

func (s snapshots) name(part string) string {
	return s.spec.VolumeName(part) + "-pre-upgrade"
}

func (s snapshots) names() []string {
	var out []string
	for _, p := range s.parts() {
		out = append(out, s.name(p))
	}
	return out
}

// marker is an empty volume made once every copy is complete: only then
// are the copies worth putting back after an interrupted upgrade.
func (s snapshots) marker() string { return s.spec.VolumeName("pre-upgrade-complete") }

// live is where the site keeps a part: its named volume, or its host folder.
func (s snapshots) live(part string) mount.Mount {
	if s.spec.DataDir == "" {
		return mount.Mount{Type: mount.TypeVolume, Source: s.spec.VolumeName(part)}
	}
	db, html := s.spec.DataDirs()
	src := db
	if part == plan.VolumeHTML {
		src = html
	}
	return mount.Mount{Type: mount.TypeBind, Source: src}
}

// take copies every part into a fresh snapshot volume.
func (s *snapshots) take(ctx context.Context) error {
	_ = s.cli.VolumeRemove(ctx, s.marker(), true)
	for _, part := range s.parts() {
		name := s.name(part)
		// A snapshot left by an earlier failed rollback is stale: this one
		// is taken from the data the site ran on just now.
		_ = s.cli.VolumeRemove(ctx, name, true)
		labels := s.spec.Labels("")
		labels[labelSnapshot] = part
		if _, err := s.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
			return fmt.Errorf("create the volume %s for a copy of the site's %s data: %w", name, part, err)
		}
		s.taken = true
		from := s.live(part)
		from.Target, from.ReadOnly = "/from", true
		to := mount.Mount{Type: mount.TypeVolume, Source: name, Target: "/to"}
		if err := s.copy(ctx, "cp -a /from/. /to/", from, to); err != nil {
			return fmt.Errorf("copy the site's %s data into %s: %w", part, name, err)
		}
		events.Emit(ctx, "upgrade "+s.spec.Name, events.Info, fmt.Sprintf("%s data copied to the volume %s", part, name))
	}
	labels := s.spec.Labels("")
	labels[labelSnapshot] = "complete"
	if _, err := s.cli.VolumeCreate(ctx, volume.CreateOptions{Name: s.marker(), Labels: labels}); err != nil {
		return fmt.Errorf("mark the copies of the site's data complete (volume %s): %w", s.marker(), err)
	}
	return nil
}

// restore empties every part and copies its snapshot back, owners and
// modes included.
func (s snapshots) restore(ctx context.Context) error {
	for _, part := range s.parts() {
		from := mount.Mount{Type: mount.TypeVolume, Source: s.name(part), Target: "/from", ReadOnly: true}
		to := s.live(part)
		to.Target = "/to"
		if err := s.copy(ctx, "find /to -mindepth 1 -delete && cp -a /from/. /to/", from, to); err != nil {
			return fmt.Errorf("put the site's %s data back from %s: %w", part, s.name(part), err)
		}
		events.Emit(ctx, "upgrade "+s.spec.Name, events.Info, fmt.Sprintf("%s data put back from %s", part, s.name(part)))
	}
	return nil
}

// exist says whether every snapshot volume of the site is there (what an
// interrupted upgrade leaves).
func (s snapshots) exist(ctx context.Context) (bool, error) {
	for _, name := range append(s.names(), s.marker()) {
		v, err := s.cli.VolumeInspect(ctx, name)
		if errdefs.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("inspect volume %s: %w", name, err)
		}
		if v.Labels[labelSnapshot] == "" || v.Labels[site.LabelSite] != s.spec.Name {
			return false, nil
		}
	}
	return true, nil
}

// drop removes the snapshot volumes (after success, or a rollback that
// worked). A volume it cannot remove is left, with a warning.
func (s snapshots) drop(ctx context.Context) {
	if !s.taken {
		return
	}
	// The marker first: copies without it are never put back.
	for _, name := range append([]string{s.marker()}, s.names()...) {
		if err := s.cli.VolumeRemove(context.WithoutCancel(ctx), name, true); err != nil && !errdefs.IsNotFound(err) {
			events.Emit(ctx, "upgrade "+s.spec.Name, events.Warning, fmt.Sprintf("could not remove %s (%v): remove it with docker volume rm %s", name, err, name))
		}
	}
}

// copy runs script as root, without network, in a one-off container with
// both mounts, and waits for it.
func (s snapshots) copy(ctx context.Context, script string, mounts ...mount.Mount) error {
	labels := s.spec.Labels("")
	labels[labelSnapshot] = "copy"
	created, err := s.cli.ContainerCreate(ctx, &container.Config{
		Image:      s.image,
		User:       "0:0",
		Entrypoint: []string{"/bin/sh", "-ec", script},
		Cmd:        nil,
		Labels:     labels,
	}, &container.HostConfig{Mounts: mounts, NetworkMode: "none"}, nil, nil, "")
	if err != nil {
		return fmt.Errorf("create the copying container from %s: %w", s.image, err)
	}
	defer func() {
		_ = s.cli.ContainerRemove(context.WithoutCancel(ctx), created.ID, container.RemoveOptions{Force: true})
	}()
	wait, errc := s.cli.ContainerWait(ctx, created.ID, container.WaitConditionNextExit)
	if err := s.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("start the copying container: %w", err)
	}
	select {
	case w := <-wait:
		if w.StatusCode != 0 {
			return fmt.Errorf("%q exited with %d: %s", script, w.StatusCode, s.logs(ctx, created.ID))
		}
		return nil
	case err := <-errc:
		return fmt.Errorf("wait for the copying container: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s snapshots) logs(ctx context.Context, id string) string {
	rc, err := s.cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "10"})
	if err != nil {
		return ""
	}
	defer rc.Close()
	var out bytes.Buffer
	_, _ = stdcopy.StdCopy(&out, &out, rc)
	return strings.TrimSpace(out.String())
}
