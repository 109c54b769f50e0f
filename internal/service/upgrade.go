package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// UpgradeOptions name the site and the stack to move it to.
type UpgradeOptions struct {
	Name string
	To   string // "" = the newest stack
	// WpstackVersion is recorded in the safety backup's manifest.
	WpstackVersion string
}

// UpgradeResult is what `upgrade` prints.
type UpgradeResult struct {
	Name         string        `json:"name"`
	URL          string        `json:"url"`
	From         StackVersions `json:"from"`
	To           StackVersions `json:"to"`
	SafetyBackup string        `json:"safety_backup"`
	Duration     time.Duration `json:"duration_ns"`
}

// StackVersions are a site's stack and what it runs.
type StackVersions struct {
	Stack            string `json:"stack"`
	WordPressVersion string `json:"wordpress_version,omitempty"`
	PHPVersion       string `json:"php_version,omitempty"`
	MariaDBVersion   string `json:"mariadb_version,omitempty"`
}

// UpgradeFailVar names a step at which a test makes the upgrade fail, to
// check that the site comes back: "deploy" fails after the new images
// started (the data directory is upgraded by then), "db" makes the new
// database image's MariaDB upgrade fail.
const UpgradeFailVar = "WPSTACK_TEST_UPGRADE_FAIL"

const dbUpgradeFailVar = "WPSTACK_TEST_FAIL_DB_UPGRADE"

// Upgrade moves a running site to a newer stack: a safety backup, the new
// images, copies of the site's data kept until the end, the new images
// started (the db image upgrades the data directory with mariadb-upgrade,
// the web image the core in place), WordPress's database upgrade and
// health checks. On any failure after the site was stopped, the old data is
// put back from the copies and the old images started again; the error
// says what failed and how the site was left. Swarm sites take their own
// route (upgradeSwarm).
func (s *Service) Upgrade(ctx context.Context, opts UpgradeOptions) (UpgradeResult, error) {
	start := time.Now()
	if err := s.requireSite(opts.Name); err != nil {
		return UpgradeResult{}, err
	}
	unlock, err := s.store.Lock(ctx, opts.Name, func() {
		events.Emit(ctx, "site "+opts.Name, events.Info, "waiting for another wpstack command on this site to finish")
	})
	if err != nil {
		return UpgradeResult{}, err
	}
	defer unlock()
	spec, err := s.store.Load(opts.Name)
	if err != nil {
		return UpgradeResult{}, err
	}
	from := spec.StackRelease()
	to := opts.To
	if to == "" {
		to = site.DefaultStack
	}
	if err := site.ValidateStack(to); err != nil {
		return UpgradeResult{}, fmt.Errorf("--to: %w", err)
	}
	if site.StackRank(to) <= site.StackRank(from) {
		return UpgradeResult{}, fmt.Errorf("site %q already runs the %s stack: nothing to upgrade to %s (stacks only move forward; to go back, restore a backup made before the upgrade with `wpstack restore`)", spec.Name, from, to)
	}
	t, err := s.open(ctx, spec)
	if err != nil {
		return UpgradeResult{}, err
	}
	defer t.Close()
	res := "upgrade " + spec.Name
	if back, err := s.recoverInterrupted(ctx, t, spec); err != nil || back {
		if err == nil {
			err = fmt.Errorf("an earlier upgrade of site %q was interrupted; its data from before it was put back: start it with `wpstack up %s`, then run the upgrade again", spec.Name, spec.Name)
		}
		return UpgradeResult{}, err
	}
	events.Emit(ctx, res, events.Working, fmt.Sprintf("from %s to %s: checking the site", from, to))
	ts, err := t.Status(ctx, spec)
	if err != nil {
		return UpgradeResult{}, err
	}
	if ts.State != target.Running {
		return UpgradeResult{}, fmt.Errorf("site %q is %s: start it with `wpstack up %s` first, so its safety backup and health can be checked; nothing was changed", spec.Name, ts.State, spec.Name)
	}
	next := spec
	next.Stack = to
	if spec.Target == site.TargetSwarm {
		return s.upgradeSwarm(ctx, t, spec, next, ts, opts, start)
	}
	old, err := runningImages(ts, spec)
	if err != nil {
		return UpgradeResult{}, err
	}
	before := s.stackVersions(ctx, spec, ts)

	// 1. The safety backup, kept whatever happens.
	events.Emit(ctx, res, events.Working, "safety backup")
	bk, err := s.backupLocked(ctx, BackupOptions{Name: spec.Name, WpstackVersion: opts.WpstackVersion}, "-pre-upgrade")
	if err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade of site %q stopped before any change: the safety backup failed: %w", spec.Name, err)
	}
	events.Emit(ctx, res, events.Done, "safety backup "+bk.Path)

	// 2. The new images, built while the site still serves.
	events.Emit(ctx, res, events.Working, "images of the "+to+" stack")
	img, err := t.Build(ctx, next, target.BuildOptions{Options: s.siteImageOptions(next)})
	if err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade of site %q stopped before any change: building the %s images failed: %w", spec.Name, to, err)
	}

	// 3. The site stops; its data is copied aside until the upgrade succeeds.
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return UpgradeResult{}, err
	}
	defer cli.Close()
	snap := snapshots{cli: eng.Client(), spec: spec, image: shellImage(spec, old)}
	events.Emit(ctx, res, events.Working, "stopping the site and keeping a copy of its data")
	if err := t.Remove(ctx, spec, target.RemoveOptions{}); err != nil {
		return UpgradeResult{}, s.upgradeFailed(ctx, t, spec, old, snap, bk.Path, "stopping the site", err, false)
	}
	if err := snap.take(ctx); err != nil {
		return UpgradeResult{}, s.upgradeFailed(ctx, t, spec, old, snap, bk.Path, "copying the site's data aside", err, false)
	}

	// 4. The new stack: images, MariaDB's and WordPress's upgrades, health.
	events.Emit(ctx, res, events.Working, "starting the "+to+" images (MariaDB upgrades the data directory, WordPress its core and database)")
	dctx := ctx
	if os.Getenv(UpgradeFailVar) == "db" {
		dctx = withPlanHook(ctx, func(p *types.Project) {
			if db, ok := p.Services[dbService(spec)]; ok {
				v := "1"
				db.Environment = cloneMapping(db.Environment)
				db.Environment[dbUpgradeFailVar] = &v
				p.Services[dbService(spec)] = db
			}
		})
	}
	// A db container that exits (its MariaDB upgrade failed) is restarted
	// by its policy, and would be waited for until the ready deadline: it
	// fails the step at once instead, with its log.
	dctx, stopWatch := context.WithCancelCause(dctx)
	go watchRestarts(dctx, snap, spec.ContainerName(dbService(spec)), stopWatch)
	_, err = s.deploy(dctx, t, next, img)
	if c := context.Cause(dctx); err != nil && c != nil && !errors.Is(c, context.Canceled) {
		err = c
	}
	stopWatch(nil)
	if err != nil {
		return UpgradeResult{}, s.upgradeFailed(ctx, t, spec, old, snap, bk.Path, "starting the "+to+" stack", err, true)
	}
	if os.Getenv(UpgradeFailVar) == "deploy" {
		err := fmt.Errorf("%s=deploy is set: failing on purpose after the new stack started", UpgradeFailVar)
		return UpgradeResult{}, s.upgradeFailed(ctx, t, spec, old, snap, bk.Path, "the health checks", err, true)
	}
	events.Emit(ctx, res, events.Working, "health checks")
	after, err := s.checkUpgraded(ctx, t, next, img)
	if err != nil {
		return UpgradeResult{}, s.upgradeFailed(ctx, t, spec, old, snap, bk.Path, "the health checks", err, true)
	}
	if err := s.store.Save(next); err != nil {
		return UpgradeResult{}, s.upgradeFailed(ctx, t, spec, old, snap, bk.Path, "saving the site's new spec", err, true)
	}
	snap.drop(ctx)
	events.Emit(ctx, res, events.Done, fmt.Sprintf("%s: WordPress %s, PHP %s, MariaDB %s", to, after.WordPressVersion, after.PHPVersion, after.MariaDBVersion))
	return UpgradeResult{Name: spec.Name, URL: spec.URL(), From: before, To: after, SafetyBackup: bk.Path, Duration: time.Since(start)}, nil
}

// watchRestarts cancels ctx with the container's log as soon as the
// container has restarted (it only restarts after exiting with an error).
func watchRestarts(ctx context.Context, snap snapshots, name string, cancel context.CancelCauseFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		ins, err := snap.cli.ContainerInspect(ctx, name)
		if err != nil || ins.ContainerJSONBase == nil || ins.State == nil {
			continue // not made yet, or being re-created
		}
		if ins.RestartCount > 0 {
			// Once restarted, the exit code is the new run's: only a
			// stopped container still has the failed one.
			code := ""
			if !ins.State.Running {
				code = fmt.Sprintf(" (code %d)", ins.State.ExitCode)
			}
			cancel(fmt.Errorf("container %s exited%s and is being restarted; its last log lines:\n%s", name, code, snap.logs(ctx, ins.ID)))
			return
		}
	}
}

// recoverInterrupted finds the copies an upgrade killed part way left (its
// rollback never ran), and puts them back: the site's data may have been
// upgraded for a server its stored stack does not run. It says whether it
// did; the site is stopped then.
func (s *Service) recoverInterrupted(ctx context.Context, t target.Target, spec site.Spec) (bool, error) {
	if spec.Target == site.TargetSwarm {
		return s.recoverSwarmUpgrade(ctx, t, spec)
	}
	if spec.Target != site.TargetLocal {
		return false, nil
	}
	eng, cli, err := s.engine(ctx)
	if err != nil {
		return false, err
	}
	defer cli.Close()
	snap := snapshots{cli: eng.Client(), spec: spec}
	found, err := snap.exist(ctx)
	if err != nil || !found {
		return false, err
	}
	events.Emit(ctx, "upgrade "+spec.Name, events.Warning, "an earlier upgrade was interrupted: putting back the data from before it")
	ts, err := t.Status(ctx, spec)
	if err != nil {
		return false, err
	}
	img, err := runningImages(ts, spec)
	if err != nil {
		// Nothing runs: any image with a shell copies; the site's own
		// stack's db image is built (or found) for it.
		built, berr := t.Build(ctx, spec, target.BuildOptions{Options: s.siteImageOptions(spec)})
		if berr != nil {
			return false, fmt.Errorf("an earlier upgrade of site %q was interrupted, and the image to put its data back with cannot be built: %w", spec.Name, berr)
		}
		img = built
	}
	snap.image, snap.taken = shellImage(spec, img), true
	if err := t.Remove(ctx, spec, target.RemoveOptions{}); err != nil {
		return false, err
	}
	if err := snap.restore(ctx); err != nil {
		return false, fmt.Errorf("an earlier upgrade of site %q was interrupted, and putting back its data from %v failed: %w", spec.Name, snap.names(), err)
	}
	snap.drop(ctx)
	events.Emit(ctx, "upgrade "+spec.Name, events.Done, "the data from before the interrupted upgrade is back")
	return true, nil
}

// runningImages are the images the site runs now: the ones a rollback
// starts again (a rebuild of the old stack could differ).
func runningImages(ts target.Status, spec site.Spec) (target.Images, error) {
	img := imagesOf(ts)
	if spec.Layout == site.LayoutAllInOne {
		if img.AllInOne == "" {
			return img, fmt.Errorf("site %q: cannot tell which image its %s container runs; nothing was changed", spec.Name, site.ServiceAllInOne)
		}
	} else if img.Web == "" || img.DB == "" {
		return img, fmt.Errorf("site %q: cannot tell which images it runs (web %q, db %q); nothing was changed", spec.Name, img.Web, img.DB)
	}
	return img, nil
}

func (s *Service) stackVersions(ctx context.Context, spec site.Spec, ts target.Status) StackVersions {
	var refs []string
	for _, sv := range ts.Services {
		refs = append(refs, sv.Image)
	}
	st := s.stackStatus(ctx, spec, refs)
	return StackVersions{Stack: st.Stack, WordPressVersion: ts.WordPressVersion, PHPVersion: st.PHPVersion, MariaDBVersion: st.MariaDBVersion}
}

// checkUpgraded is the upgrade's health check: every service runs healthy
// on the new images, and the site serves the new core.
func (s *Service) checkUpgraded(ctx context.Context, t target.Target, spec site.Spec, img target.Images) (StackVersions, error) {
	ts, err := t.Status(ctx, spec)
	if err != nil {
		return StackVersions{}, err
	}
	if ts.State != target.Running {
		return StackVersions{}, fmt.Errorf("the site is %s after the upgrade", ts.State)
	}
	for _, sv := range ts.Services {
		want, ok := serviceImage(sv.Name, img)
		if !ok {
			continue // not an image of the site's stack
		}
		if sv.Image != want {
			return StackVersions{}, fmt.Errorf("service %s runs %s, not the new image %s", sv.Name, sv.Image, want)
		}
		if sv.Health != "healthy" {
			return StackVersions{}, fmt.Errorf("service %s is %s, not healthy", sv.Name, sv.Health)
		}
	}
	if ts.WordPressVersion == "" {
		return StackVersions{}, errors.New("the web service does not tell its WordPress version")
	}
	wp := wordpressOf(t, spec)
	if err := wp.WaitServing(ctx, 60*time.Second); err != nil {
		return StackVersions{}, err
	}
	return s.stackVersions(ctx, spec, ts), nil
}

// upgradeFailed brings the site back as it was before the upgrade: the
// data from the copies (when the new stack may have touched it), the old
// images started again. The error says what failed and where the site is.
func (s *Service) upgradeFailed(ctx context.Context, t target.Target, spec site.Spec, old target.Images, snap snapshots, safety, step string, cause error, touched bool) error {
	ctx = context.WithoutCancel(ctx)
	res := "upgrade " + spec.Name
	events.Emit(ctx, res, events.Failed, step+": "+cause.Error())
	events.Emit(ctx, res, events.Warning, "rolling the site back to "+spec.StackRelease())
	failed := fmt.Errorf("upgrade of site %q to a newer stack failed at %s: %w", spec.Name, step, cause)
	byHand := fmt.Sprintf("bring it back by hand with `wpstack restore %s %s`", spec.Name, safety)
	err := func() error {
		if touched {
			if err := t.Remove(ctx, spec, target.RemoveOptions{}); err != nil {
				return fmt.Errorf("stop the new stack: %w", err)
			}
		}
		if snap.taken {
			if err := snap.restore(ctx); err != nil {
				return err
			}
		}
		if _, err := s.deploy(ctx, t, spec, old); err != nil {
			return fmt.Errorf("start the old images again: %w", err)
		}
		return nil
	}()
	if err != nil {
		events.Emit(ctx, res, events.Failed, "rollback: "+err.Error())
		kept := ""
		if snap.taken {
			kept = fmt.Sprintf(" (the copies of its data before the upgrade are kept in the volumes %v)", snap.names())
		}
		return fmt.Errorf("%w\nROLLBACK FAILED: %v%s; %s", failed, err, kept, byHand)
	}
	snap.drop(ctx)
	events.Emit(ctx, res, events.Done, "rolled back: the site runs its old images on its data from before the upgrade")
	return fmt.Errorf("%w\nrolled back: site %q runs the %s stack again, with its images and data from before the upgrade (safety backup: %s)", failed, spec.Name, spec.StackRelease(), safety)
}

// imagesOf are the images the site's services run, as the target reports
// them (a swarm's with the digests it pinned).
func imagesOf(ts target.Status) target.Images {
	var img target.Images
	for _, sv := range ts.Services {
		switch sv.Name {
		case site.ServiceWeb:
			img.Web = sv.Image
		case site.ServiceDB:
			img.DB = sv.Image
		case site.ServiceAllInOne:
			img.AllInOne = sv.Image
		case plan.ServiceEdge:
			img.Edge = sv.Image
		}
	}
	img.WordPressVersion = ts.WordPressVersion
	return img
}

// dbService is the service whose MariaDB upgrades the data directory.
func dbService(spec site.Spec) string {
	if spec.Layout == site.LayoutAllInOne {
		return site.ServiceAllInOne
	}
	return site.ServiceDB
}

// shellImage is an image of the site with a POSIX shell and cp -a, for
// the copies of its data: its db image, or its all-in-one image.
func shellImage(spec site.Spec, img target.Images) string {
	if spec.Layout == site.LayoutAllInOne {
		return img.AllInOne
	}
	return img.DB
}

// serviceImage is the image a service of the site runs from img; false
// for a service that is not built from the site's stack.
func serviceImage(service string, img target.Images) (string, bool) {
	switch service {
	case site.ServiceWeb:
		return img.Web, true
	case site.ServiceDB, site.ServiceBackup:
		return img.DB, true
	case site.ServiceAllInOne:
		return img.AllInOne, true
	}
	return "", false
}

func cloneMapping(m types.MappingWithEquals) types.MappingWithEquals {
	out := make(types.MappingWithEquals, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// planHookKey carries a change to the plan deploy applies (tests only).
type planHookKey struct{}

func withPlanHook(ctx context.Context, f func(*types.Project)) context.Context {
	return context.WithValue(ctx, planHookKey{}, f)
}

func applyPlanHook(ctx context.Context, p *types.Project) {
	if f, ok := ctx.Value(planHookKey{}).(func(*types.Project)); ok {
		f(p)
	}
}
