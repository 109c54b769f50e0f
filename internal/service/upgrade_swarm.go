package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/swarm"
	"github.com/wpstack/wpstack/internal/target"
)

// upgradeSwarm moves a swarm site to next's stack while its services keep
// their nodes: the safety backup through the site's data job, the new
// images built on the manager and pushed to the site's registry, the
// database service moved alone first (its task upgrades the data directory
// on the database's node as it starts), then the web and cron services in
// a rolling update, WordPress's database upgrade and the health checks.
// A swarm cannot copy a volume on another node aside as one engine can, so
// the safety backup is what a rollback puts back: the old images by the
// exact references that ran, on an emptied data directory, restored from
// it.
func (s *Service) upgradeSwarm(ctx context.Context, t target.Target, spec, next site.Spec, ts target.Status, opts UpgradeOptions, start time.Time) (UpgradeResult, error) {
	st, ok := t.(*swarm.Target)
	if !ok {
		return UpgradeResult{}, fmt.Errorf("site %q: its target is not a swarm; nothing was changed", spec.Name)
	}
	res := "upgrade " + spec.Name
	old, err := swarmRunningImages(ts, spec)
	if err != nil {
		return UpgradeResult{}, err
	}
	before := s.stackVersions(ctx, spec, ts)

	// 1. The new images, built on the manager and pushed while the site
	// serves: first, so the safety backup is taken as late as it can be
	// (what the site writes after it is lost by a rollback).
	events.Emit(ctx, res, events.Working, "images of the "+next.Stack+" stack")
	img, err := t.Build(ctx, next, target.BuildOptions{Options: s.siteImageOptions(next)})
	if err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade of site %q stopped before any change: building the %s images failed: %w", spec.Name, next.Stack, err)
	}

	// 2. The safety backup, kept whatever happens: the rollback's data.
	events.Emit(ctx, res, events.Working, "safety backup (through a data job on this manager)")
	bk, err := s.backupLocked(ctx, BackupOptions{Name: spec.Name, WpstackVersion: opts.WpstackVersion}, "-pre-upgrade")
	if err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade of site %q stopped before any change: the safety backup failed: %w", spec.Name, err)
	}
	events.Emit(ctx, res, events.Done, "safety backup "+bk.Path)

	fail := func(step string, cause error) (UpgradeResult, error) {
		return UpgradeResult{}, s.swarmUpgradeFailed(ctx, st, spec, old, bk.Path, step, cause)
	}

	// From here a killed wpstack leaves a site its spec cannot run: the
	// marker lets the next up or upgrade roll it back.
	if err := s.writeUpgradeMarker(spec.Name, upgradeMarker{From: spec.StackRelease(), To: next.StackRelease(), Safety: bk.Path,
		Web: old.Web, DB: old.DB, Edge: old.Edge, Started: time.Now().UTC()}); err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade of site %q stopped before any change: %w", spec.Name, err)
	}

	// 3. The database alone: its new task upgrades the data directory.
	dctx := ctx
	if os.Getenv(UpgradeFailVar) == "db" {
		dctx = withPlanHook(ctx, func(p *types.Project) {
			if db, ok := p.Services[site.ServiceDB]; ok {
				v := "1"
				db.Environment = cloneMapping(db.Environment)
				db.Environment[dbUpgradeFailVar] = &v
				p.Services[site.ServiceDB] = db
			}
		})
	}
	events.Emit(ctx, res, events.Working, "moving the db service to the "+next.Stack+" image (MariaDB upgrades the data directory on its node)")
	if err := s.deployDB(dctx, st, next, img); err != nil {
		return fail("upgrading the database to the "+next.Stack+" image", err)
	}

	// 4. The web and cron services, rolling; WordPress's database upgrade.
	events.Emit(ctx, res, events.Working, "rolling the web services to the "+next.Stack+" image (WordPress upgrades its database)")
	if _, err := s.deploy(dctx, t, next, img); err != nil {
		return fail("starting the "+next.Stack+" stack", err)
	}
	if os.Getenv(UpgradeFailVar) == "deploy" {
		return fail("the health checks", fmt.Errorf("%s=deploy is set: failing on purpose after the new stack started", UpgradeFailVar))
	}
	events.Emit(ctx, res, events.Working, "health checks")
	after, err := s.checkSwarmUpgraded(ctx, t, next, img)
	if err != nil {
		return fail("the health checks", err)
	}
	if err := s.store.Save(next); err != nil {
		return fail("saving the site's new spec", err)
	}
	s.removeUpgradeMarker(spec.Name)
	events.Emit(ctx, res, events.Done, fmt.Sprintf("%s: WordPress %s, PHP %s, MariaDB %s", next.Stack, after.WordPressVersion, after.PHPVersion, after.MariaDBVersion))
	return UpgradeResult{Name: spec.Name, URL: spec.URL(), From: before, To: after, SafetyBackup: bk.Path, Duration: time.Since(start)}, nil
}

// deployDB converges the stack's db service alone to spec's plan.
func (s *Service) deployDB(ctx context.Context, t *swarm.Target, spec site.Spec, img target.Images) error {
	if spec.HasDomains() {
		files, err := s.stackEdgeFiles(ctx, spec)
		if err != nil {
			return err
		}
		img.EdgeFiles = files
	}
	p, err := t.Plan(spec, img, s.store.SecretsDir(spec.Name))
	if err != nil {
		return err
	}
	applyPlanHook(ctx, p)
	return t.DeployDB(ctx, spec, p)
}

// swarmRunningImages are the images a swarm site's services run, by the
// references swarm pinned (digests included): what a rollback deploys.
func swarmRunningImages(ts target.Status, spec site.Spec) (target.Images, error) {
	img := imagesOf(ts)
	if img.Web == "" || img.DB == "" || img.Edge == "" {
		return img, fmt.Errorf("site %q: cannot tell which images its services run (web %q, db %q, edge %q); nothing was changed", spec.Name, img.Web, img.DB, img.Edge)
	}
	return img, nil
}

// sameImage says whether a service's image reference (swarm appends the
// digest it resolved: name:tag@sha256:...) is want, renamed under registry.
func sameImage(running, want, registry string) bool {
	want = plan.StackImage(registry, want)
	return running == want || strings.HasPrefix(running, want+"@")
}

// checkSwarmUpgraded is the swarm upgrade's health check: the web, cron
// and db services run their new images with every task running, and the
// site serves through the edge.
func (s *Service) checkSwarmUpgraded(ctx context.Context, t target.Target, spec site.Spec, img target.Images) (StackVersions, error) {
	ts, err := t.Status(ctx, spec)
	if err != nil {
		return StackVersions{}, err
	}
	if ts.State != target.Running {
		return StackVersions{}, fmt.Errorf("the site is %s after the upgrade", ts.State)
	}
	if err := checkSwarmServices(ts.Services, img, spec.Registry); err != nil {
		return StackVersions{}, err
	}
	if ts.WordPressVersion == "" {
		return StackVersions{}, errors.New("the web service's image does not tell its WordPress version")
	}
	wp := wordpressOf(t, spec)
	if spec.HasDomains() {
		if wp.TLS, err = s.siteTLS(spec); err != nil {
			return StackVersions{}, err
		}
	}
	if err := wp.WaitServing(ctx, 60*time.Second); err != nil {
		return StackVersions{}, err
	}
	return s.stackVersions(ctx, spec, ts), nil
}

// checkSwarmServices checks that web, cron and db run the new images and
// that every service has all its tasks running.
func checkSwarmServices(svcs []target.ServiceStatus, img target.Images, registry string) error {
	want := map[string]string{site.ServiceWeb: img.Web, plan.ServiceCron: img.Web, site.ServiceDB: img.DB}
	seen := 0
	for _, sv := range svcs {
		if w, ok := want[sv.Name]; ok {
			seen++
			if !sameImage(sv.Image, w, registry) {
				return fmt.Errorf("service %s runs %s, not the new image %s", sv.Name, sv.Image, plan.StackImage(registry, w))
			}
		}
		if sv.Running != sv.Desired {
			return fmt.Errorf("service %s has %d of its %d tasks running", sv.Name, sv.Running, sv.Desired)
		}
	}
	if seen != len(want) {
		return fmt.Errorf("the stack has %d of its web, cron and db services", seen)
	}
	return nil
}

// swarmUpgradeFailed brings a swarm site back as it was before the
// upgrade: its services removed, the database's data directory emptied on
// its node (MariaDB's upgrade of it cannot be undone), the old images
// deployed again by the references that ran, and the safety backup
// restored into them through the data job. The error says what failed and
// how the site was left.
func (s *Service) swarmUpgradeFailed(ctx context.Context, t *swarm.Target, spec site.Spec, old target.Images, safety, step string, cause error) error {
	ctx = context.WithoutCancel(ctx)
	start := time.Now()
	res := "upgrade " + spec.Name
	events.Emit(ctx, res, events.Failed, step+": "+cause.Error())
	events.Emit(ctx, res, events.Warning, "rolling the site back to "+spec.StackRelease()+" from the safety backup "+safety)
	failed := fmt.Errorf("upgrade of site %q to a newer stack failed at %s: %w", spec.Name, step, cause)
	err := s.swarmRollback(ctx, t, spec, old, safety)
	if err != nil {
		events.Emit(ctx, res, events.Failed, "rollback: "+err.Error())
		return fmt.Errorf("%w\nROLLBACK FAILED: %v; the site may be down or empty: bring it back by hand with `wpstack up %s` and then `wpstack restore %s %s` (the safety backup)",
			failed, err, spec.Name, spec.Name, safety)
	}
	s.removeUpgradeMarker(spec.Name)
	events.Emit(ctx, res, events.Done, fmt.Sprintf("rolled back in %.1fs: the site runs its old images on its data from the safety backup", time.Since(start).Seconds()))
	return fmt.Errorf("%w\nrolled back: site %q runs the %s stack again, on the images it ran before the upgrade, with its data restored from the safety backup %s",
		failed, spec.Name, spec.StackRelease(), safety)
}

func (s *Service) swarmRollback(ctx context.Context, t *swarm.Target, spec site.Spec, old target.Images, safety string) error {
	man, err := s.VerifyBackup(ctx, safety)
	if err != nil {
		return fmt.Errorf("check the safety backup: %w", err)
	}
	data, err := t.DBDataMount(ctx, spec)
	if err != nil {
		return fmt.Errorf("find the database's data directory: %w", err)
	}
	if err := t.Remove(ctx, spec, target.RemoveOptions{}); err != nil {
		return fmt.Errorf("stop the new stack: %w", err)
	}
	if err := t.EmptyDBData(ctx, spec, data, old.DB); err != nil {
		return fmt.Errorf("empty the upgraded data directory: %w", err)
	}
	// The old database initialises an empty data directory; WordPress is
	// installed on it, then the backup replaces every table and wp-content.
	if _, err := s.deploy(ctx, t, spec, old); err != nil {
		return fmt.Errorf("start the old images again: %w", err)
	}
	r, err := s.reach(ctx, spec, true)
	if err != nil {
		return err
	}
	defer r.close()
	f, err := os.Open(safety)
	if err != nil {
		return fmt.Errorf("open the safety backup: %w", err)
	}
	defer f.Close()
	if err := backup.Apply(ctx, f, man, r.data, backup.ApplyOptions{}); err != nil {
		return fmt.Errorf("restore the safety backup %s: %w", safety, err)
	}
	serving := spec
	if title, err := r.data.Option(ctx, "blogname"); err == nil && title != "" {
		serving.Title = title
	}
	wp := wordpressOf(t, serving)
	if serving.HasDomains() {
		if wp.TLS, err = s.siteTLS(serving); err != nil {
			return err
		}
	}
	return wp.WaitServing(ctx, 60*time.Second)
}
