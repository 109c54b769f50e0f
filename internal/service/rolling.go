package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wpstack/wpstack/internal/images/wpsource"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/swarm"
	"github.com/wpstack/wpstack/internal/target"
)

// loadSwarmSite loads a site and refuses one that does not run on a swarm.
func (s *Service) loadSwarmSite(name, verb string) (site.Spec, error) {
	if err := s.requireSite(name); err != nil {
		return site.Spec{}, err
	}
	spec, err := s.store.Load(name)
	if err != nil {
		return spec, err
	}
	if spec.Target != site.TargetSwarm {
		return spec, fmt.Errorf("site %q runs on target %q: %s needs a swarm site (create one with `wpstack up NAME --target swarm`)", name, spec.Target, verb)
	}
	return spec, nil
}

// ScaleOptions set the web replicas of a swarm site.
type ScaleOptions struct {
	Name     string
	Replicas int
}

// ScaleResult is what `scale` prints.
type ScaleResult struct {
	Name     string        `json:"name"`
	Replicas int           `json:"replicas"`
	Duration time.Duration `json:"duration_ns"`
}

// Scale sets the number of web replicas and waits until they all serve.
func (s *Service) Scale(ctx context.Context, opts ScaleOptions) (ScaleResult, error) {
	start := time.Now()
	spec, err := s.loadSwarmSite(opts.Name, "scale")
	if err != nil {
		return ScaleResult{}, err
	}
	spec.Replicas = opts.Replicas
	if err := spec.Validate(); err != nil {
		return ScaleResult{}, err
	}
	t, release, err := s.lockSwarm(ctx, spec)
	if err != nil {
		return ScaleResult{}, err
	}
	defer release()
	if err := t.Check(ctx, spec); err != nil {
		return ScaleResult{}, err
	}
	if err := t.Cluster().Scale(ctx, spec.StackName(), site.ServiceWeb, opts.Replicas); err != nil {
		return ScaleResult{}, err
	}
	if err := s.store.Save(spec); err != nil {
		return ScaleResult{}, err
	}
	if err := t.Cluster().Wait(ctx, spec.StackName(), swarm.WaitOptions{Since: start}); err != nil {
		return ScaleResult{}, err
	}
	return ScaleResult{Name: spec.Name, Replicas: opts.Replicas, Duration: time.Since(start)}, nil
}

// UpdateOptions say what a rolling update changes.
type UpdateOptions struct {
	Name            string
	WordPressSource string // "" keeps the site's
	// WebImage runs this web image (on the manager's engine, or in the
	// registry) instead of the one wpstack builds: a custom image, or a
	// release to try. It is not stored: the next up or update goes back
	// to the built image.
	WebImage string
}

// UpdateResult is what `update` and `rollback` print.
type UpdateResult struct {
	Name       string        `json:"name"`
	RolledBack bool          `json:"rolled_back"`
	Message    string        `json:"message,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
}

// ErrUpdateRolledBack is returned when the new version failed its health
// checks and swarm went back to the previous one.
var ErrUpdateRolledBack = errors.New("the update failed and was rolled back")

// Update rebuilds and pushes what changed, then rolls the web replicas one
// by one (start-first, healthcheck-gated). A new version that fails its
// health checks is rolled back by swarm; Update then returns an error
// wrapping ErrUpdateRolledBack with the result.
func (s *Service) Update(ctx context.Context, opts UpdateOptions) (UpdateResult, error) {
	start := time.Now()
	spec, err := s.loadSwarmSite(opts.Name, "update")
	if err != nil {
		return UpdateResult{}, err
	}
	if opts.WordPressSource != "" {
		if _, err := wpsource.ParseSpec(opts.WordPressSource); err != nil {
			return UpdateResult{}, fmt.Errorf("--wordpress-source: %w", err)
		}
		spec.WordPressSource = opts.WordPressSource
	}
	t, release, err := s.lockSwarm(ctx, spec)
	if err != nil {
		return UpdateResult{}, err
	}
	defer release()
	if err := t.Check(ctx, spec); err != nil {
		return UpdateResult{}, err
	}
	_, err = s.rollOut(ctx, t, spec, opts.WebImage)
	res := UpdateResult{Name: spec.Name, Duration: time.Since(start)}
	if errors.Is(err, swarm.ErrRolledBack) {
		res.RolledBack, res.Message = true, err.Error()
		// Swarm is still bringing the old tasks back: wait for it.
		if werr := t.Cluster().Wait(ctx, spec.StackName(), swarm.WaitOptions{Since: start, Rollback: true}); werr != nil {
			return res, fmt.Errorf("%w; then: %v", ErrUpdateRolledBack, werr)
		}
		res.Duration = time.Since(start)
		return res, fmt.Errorf("%w: %s", ErrUpdateRolledBack, err.Error())
	}
	if err != nil {
		return res, err
	}
	if err := s.store.Save(spec); err != nil {
		return res, err
	}
	return res, nil
}

// rollOut builds (or takes webImage), plans and deploys a swarm site and
// runs what `up` runs after a deploy, the database upgrade included.
func (s *Service) rollOut(ctx context.Context, t target.Target, spec site.Spec, webImage string) (string, error) {
	img, err := t.Build(ctx, spec, target.BuildOptions{Options: s.siteImageOptions(spec), WebImage: webImage})
	if err != nil {
		return "", err
	}
	return s.deploy(ctx, t, spec, img)
}

// RollbackOptions name the site to roll back.
type RollbackOptions struct {
	Name string
}

// Rollback returns the web replicas (and the cron runner) to the version
// before the last update, one by one, start-first.
func (s *Service) Rollback(ctx context.Context, opts RollbackOptions) (UpdateResult, error) {
	start := time.Now()
	spec, err := s.loadSwarmSite(opts.Name, "rollback")
	if err != nil {
		return UpdateResult{}, err
	}
	t, release, err := s.lockSwarm(ctx, spec)
	if err != nil {
		return UpdateResult{}, err
	}
	defer release()
	changed, err := t.Cluster().Rollback(ctx, spec.StackName(), rollingServices()...)
	if err != nil {
		return UpdateResult{}, err
	}
	if !changed {
		return UpdateResult{}, fmt.Errorf("site %q has no previous version to roll back to: run `wpstack update %s` first", spec.Name, spec.Name)
	}
	if err := t.Cluster().Wait(ctx, spec.StackName(), swarm.WaitOptions{Since: start, Rollback: true}); err != nil {
		return UpdateResult{}, err
	}
	return UpdateResult{Name: spec.Name, RolledBack: true, Duration: time.Since(start)}, nil
}

// lockSwarm takes the site's lock and opens its swarm target; release
// undoes both.
func (s *Service) lockSwarm(ctx context.Context, spec site.Spec) (*swarm.Target, func(), error) {
	unlock, err := s.store.Lock(ctx, spec.Name, nil)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.open(ctx, spec)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	st, ok := t.(*swarm.Target)
	if !ok {
		t.Close()
		unlock()
		return nil, nil, fmt.Errorf("site %q is not a swarm site", spec.Name)
	}
	return st, func() { st.Close(); unlock() }, nil
}

// rollingServices are the services an update changes and a rollback returns.
func rollingServices() []string { return []string{site.ServiceWeb, plan.ServiceCron} }
