package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/images"
)

func execOutput(ctx context.Context, bin string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, bin, args...).Output()
}

// scenarios runs every measurement in order; the load runs come last so
// nothing else runs while they do.
func (b *bench) scenarios(ctx context.Context, f flags, tree, work string) error {
	wp, base := b.stacks[0], b.stacks[1].(*baselineStack)
	all := append(append([]stack(nil), b.stacks...), b.extra...)
	nonce := fmt.Sprintf("%d", time.Now().Unix()%1000000)

	// 1. Cold: every image built without cache from the base image.
	cold := map[string][]float64{}
	coldStacks := b.stacks
	if b.compare != nil {
		coldStacks = append(append([]stack(nil), b.stacks...), b.compare)
	}
	for rep := 0; rep < f.coldReps; rep++ {
		for _, st := range order(rep, coldStacks) {
			d, err := b.coldStart(ctx, f, st, base, tree, fmt.Sprintf("%s-%d", nonce, rep))
			if err != nil {
				return err
			}
			cold[st.name()] = append(cold[st.name()], d.Seconds())
		}
	}
	if f.coldReps > 0 {
		b.res.Startup = append(b.res.Startup, startupRow("cold", "wpstack ≤ 120 s", cold))
		if b.compare != nil {
			b.res.Startup = append(b.res.Startup, extraRows("cold", cold, []stack{b.compare})...)
		}
	}

	// The sites the load runs use; wpstack's first `up` builds its images
	// when they are missing, so it is not a warm figure.
	for _, st := range all {
		s, _, err := b.newSite(ctx, st, b.prefix+"-"+shortName(st)+"-main")
		if err != nil {
			return err
		}
		b.main[st] = s
	}
	for _, st := range all {
		row := ImageRow{Stack: st.name(), MiB: map[string]float64{}, Ref: map[string]string{}}
		for role, c := range st.containers(b.main[st].name) {
			img, err := containerImage(ctx, c)
			if err != nil {
				return err
			}
			size, err := imageMiB(ctx, img)
			if err != nil {
				return err
			}
			row.MiB[role], row.Ref[role] = size, img
		}
		if st == wp {
			b.res.Versions.WebImage, b.res.Versions.DBImage = row.Ref["web"], row.Ref["db"]
		}
		b.res.Images = append(b.res.Images, row)
	}

	// 2. Warm and density, one stack at a time: every site has its own
	// network, and Docker's default address pools hold about 30 bridge
	// networks, so N sites of every stack at once do not fit. Site k of a
	// stack starts while k−1 idle sites of that stack run; warm ratios pair
	// site k of wpstack with site k of the baseline.
	warm := map[string][]float64{}
	idle := map[string]*memorySampler{}
	for _, st := range all {
		var names []string
		for i := 0; i < f.densitySites; i++ {
			s, d, err := b.newSite(ctx, st, fmt.Sprintf("%s-%s-%d", b.prefix, shortName(st), i+1))
			if err != nil {
				return err
			}
			warm[st.name()] = append(warm[st.name()], d.Seconds())
			names = append(names, s.name)
		}
		// 3. Idle memory of the density sites, all running together.
		b.log.Printf("%s: letting %d sites settle for 20 s", st.name(), len(names))
		if err := sleep(ctx, 20*time.Second); err != nil {
			return err
		}
		ms := &memorySampler{}
		total := 0.0
		for _, n := range names {
			m, err := b.siteMemory(ctx, st, n)
			if err != nil {
				return err
			}
			ms.add(st.name(), m)
			for _, v := range m {
				total += v
			}
		}
		idle[st.name()] = ms
		b.res.Density = append(b.res.Density, DensityRow{Stack: st.name(), BudgetMiB: f.budgetMiB,
			SitesInBudget: int(f.budgetMiB / summarize(ms.sites[st.name()]).Median), Sites: len(names), TotalMiB: total,
			PerSiteMiB: total / float64(len(names))})
		for _, n := range names {
			if err := st.destroy(ctx, n); err != nil {
				return err
			}
		}
		b.made[st] = without(b.made[st], names)
	}
	b.res.Startup = append(b.res.Startup, startupRow("warm", "wpstack ≤ 5 s", warm))
	b.res.Startup = append(b.res.Startup, extraRows("warm", warm, b.extra)...)

	// 4. Restart of an existing site.
	restart := map[string][]float64{}
	for rep := 0; rep < f.reps; rep++ {
		for _, st := range order(rep, all) {
			d, err := b.restart(ctx, st, b.main[st])
			if err != nil {
				return err
			}
			b.log.Printf("%s: restart %.1fs", st.name(), d.Seconds())
			restart[st.name()] = append(restart[st.name()], d.Seconds())
		}
	}
	b.res.Startup = append(b.res.Startup, startupRow("restart", "", restart))
	b.res.Startup = append(b.res.Startup, extraRows("restart", restart, b.extra)...)

	// 5. Load: home page (memory sampled at the highest concurrency),
	// a logged-in admin page, and the static ceiling.
	raw := map[loadKey][]LoadResult{}
	load := &memorySampler{}
	top := b.cfg.Concurrency[len(b.cfg.Concurrency)-1]
	during := func(st stack, c int) {
		if c != top {
			return
		}
		if sleep(ctx, time.Duration(b.cfg.DurationS*float64(time.Second)/2)) != nil {
			return
		}
		if m, err := b.siteMemory(ctx, st, b.main[st].name); err == nil {
			load.add(st.name(), m)
		} else {
			b.log.Printf("memory under load: %v", err)
		}
	}
	dur := time.Duration(b.cfg.DurationS * float64(time.Second))
	// Every stack at c=10 and at the top concurrency; the pair alone at
	// the others, to keep the run short.
	var both, pairOnly []int
	for _, c := range b.cfg.Concurrency {
		if c == 10 || c == top {
			both = append(both, c)
		} else {
			pairOnly = append(pairOnly, c)
		}
	}
	if err := b.loadSeries(ctx, b.stacks, "home", pairOnly, dur, nil, "/", raw, during); err != nil {
		return err
	}
	if err := b.loadSeries(ctx, all, "home", both, dur, nil, "/", raw, during); err != nil {
		return err
	}
	cookies := map[stack][]string{}
	for _, st := range b.stacks {
		ck, err := login(ctx, b.main[st].url(), adminUser, st.adminPassword(b.main[st].name))
		if err != nil {
			return fmt.Errorf("%s: %w", st.name(), err)
		}
		cookies[st] = []string{ck}
		if err := adminAnswers(ctx, b.main[st].url()+strings.TrimPrefix(b.cfg.AdminPage, "/"), ck); err != nil {
			return fmt.Errorf("%s: %w", st.name(), err)
		}
	}
	if err := b.loadSeries(ctx, b.stacks, "admin", []int{b.cfg.AdminConc}, dur, cookies, b.cfg.AdminPage, raw, nil); err != nil {
		return err
	}
	for _, st := range b.stacks {
		if err := b.staticCopy(ctx, st, b.main[st]); err != nil {
			return err
		}
	}
	if err := b.loadSeries(ctx, b.stacks, "static", b.cfg.Concurrency, time.Duration(b.cfg.StaticS*float64(time.Second)), nil, "/wpbench-static.html", raw, nil); err != nil {
		return err
	}
	for _, page := range []string{"home", "admin", "static"} {
		concs := b.cfg.Concurrency
		if page == "admin" {
			concs = []int{b.cfg.AdminConc}
		}
		b.res.Load = append(b.res.Load, loadRows(raw, page, concs, all)...)
	}
	addRatios(b.res.Load, raw)

	for _, st := range all {
		row := MemoryRow{Stack: st.name(), IdleSite: summarize(idle[st.name()].sites[st.name()]),
			LoadSite: summarize(load.sites[st.name()]), IdlePerRole: map[string]Summary{}, LoadPerRole: map[string]Summary{}}
		for role, v := range idle[st.name()].samples[st.name()] {
			row.IdlePerRole[role] = summarize(v)
		}
		for role, v := range load.samples[st.name()] {
			row.LoadPerRole[role] = summarize(v)
		}
		if st.name() != "baseline" {
			ok := row.IdleSite.Median <= 150
			row.TargetIdleOK = &ok
		}
		b.res.Memory = append(b.res.Memory, row)
	}

	// 6. Backup and restore, last: the upload set changes the main sites.
	uploadMB := 100
	if f.quick {
		uploadMB = 5
	}
	if err := b.backups(ctx, all, uploadMB, work); err != nil {
		return err
	}

	// 7. The edge: cache, overhead, TLS, publish, memory, idle sites.
	if f.noEdge {
		b.res.Missing = append(b.res.Missing, "the edge (cache, overhead, HTTPS, publish, idle sites with domains): skipped with -no-edge")
	} else if err := b.edge(ctx, wp.(*wpstackStack), f, nil); err != nil {
		return err
	}

	// 8. Rolling update and rollback under load, on a swarm of its own.
	if f.noSwarm {
		b.res.Missing = append(b.res.Missing, "rolling update under load: skipped with -no-swarm")
		return nil
	}
	images, err := b.siteImages(ctx, wp, b.main[wp].name)
	if err != nil {
		return err
	}
	return b.rolling(ctx, wp.(*wpstackStack), f.reps, f.rollingWindow, f.labContext, images)
}

// siteImages are the base image and the images a site's containers run:
// what an engine without a registry needs to run the same site.
func (b *bench) siteImages(ctx context.Context, st stack, name string) ([]string, error) {
	base := "wpstack/base:bookworm"
	if w, ok := st.(*wpstackStack); ok {
		base = images.BaseTagFor(images.Release(w.stack))
	}
	out := []string{base}
	for _, c := range st.containers(name) {
		img, err := containerImage(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

// coldStart measures a site from no images but the Debian base: for
// wpstack, a binary with a new hash (so its recipe hash is new), its
// WordPress extraction and its web and db images built without layer
// cache, then `up`; for the baseline, both images built with --no-cache,
// `docker-compose up -d` and the wizard. Everything it made is removed.
func (b *bench) coldStart(ctx context.Context, f flags, st stack, base *baselineStack, tree, nonce string) (time.Duration, error) {
	work, err := os.MkdirTemp("", "wpt-e-cold-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(work)
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	name := b.prefix + "-" + shortName(st) + "-cold"
	title := "Bench " + name
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	var start time.Time
	var cleanup []string // image references or IDs
	switch s := st.(type) {
	case *wpstackStack:
		// The images hash wpstack-init, not the CLI: a copy of it with
		// a few bytes more gives a recipe hash never built before.
		init := filepath.Join(work, "wpstack-init")
		if err := freshBinary(f.init, init, nonce); err != nil {
			return 0, err
		}
		cache := filepath.Join(work, "cache")
		prefix := "wpt-e-cold" + strings.ReplaceAll(nonce, "-", "")
		cs := &wpstackStack{bin: f.wpstack, home: filepath.Join(work, "home"), stack: s.stack, env: []string{"XDG_CACHE_HOME=" + cache, "WPSTACK_INIT=" + init}}
		b.log.Printf("wpstack cold: building every image without cache (prefix %s)", prefix)
		start = time.Now()
		set, err := buildWpstackCold(ctx, init, filepath.Join(cache, "wpstack"), prefix, images.Release(s.stack))
		if err != nil {
			// Whatever was built before the failure (or the interrupt).
			for _, repo := range []string{"web", "db", "wpsrc-debian"} {
				if ids, lerr := docker(context.WithoutCancel(ctx), "images", "-q", prefix+"/"+repo); lerr == nil && ids != "" {
					removeImages(context.WithoutCancel(ctx), b, strings.Fields(ids))
				}
			}
			return 0, err
		}
		cleanup = append(cleanup, set.WebID, set.DBID)
		if ids, err := docker(ctx, "images", "-q", prefix+"/wpsrc-debian"); err == nil && ids != "" {
			cleanup = append(cleanup, strings.Fields(ids)...)
		}
		err = cs.create(ctx, name, port, title)
		defer func() {
			if derr := cs.destroy(context.WithoutCancel(ctx), name); derr != nil {
				b.log.Printf("cleanup: %v", derr)
			}
			removeImages(context.WithoutCancel(ctx), b, cleanup)
		}()
		if err != nil {
			return 0, err
		}
	case *baselineStack:
		web, db := "wpt-e-wordpress:cold-"+nonce, "wpt-e-mariadb:cold-"+nonce
		cs := &baselineStack{dir: filepath.Join(work, "compose"), webImage: web, dbImage: db, passwordOf: s.passwordOf}
		b.log.Printf("baseline cold: building both images with --no-cache")
		start = time.Now()
		if err := buildBaseline(ctx, work, tree, web, db, true); err != nil {
			return 0, err
		}
		cleanup = append(cleanup, web, db)
		err := cs.create(ctx, name, port, title)
		defer func() {
			if derr := cs.destroy(context.WithoutCancel(ctx), name); derr != nil {
				b.log.Printf("cleanup: %v", derr)
			}
			removeImages(context.WithoutCancel(ctx), b, cleanup)
		}()
		if err != nil {
			return 0, err
		}
	}
	if err := poll(ctx, time.Minute, "home page of "+name, func() bool { return homeServes(ctx, newClient(), url, title) }); err != nil {
		return 0, err
	}
	d := time.Since(start)
	b.log.Printf("%s: cold site serving in %.1fs", st.name(), d.Seconds())
	return d, nil
}

func removeImages(ctx context.Context, b *bench, refs []string) {
	for _, r := range refs {
		if r == "" {
			continue
		}
		if _, err := docker(ctx, "rmi", "-f", r); err != nil {
			b.log.Printf("cleanup: %v", err)
		}
	}
}

func shortName(st stack) string {
	switch st.name() {
	case "wpstack":
		return "w"
	case "wpstack-allinone":
		return "a"
	case "baseline":
		return "b"
	}
	// A second stack, "wpstack-bookworm": "wb".
	return "w" + strings.TrimPrefix(st.name(), "wpstack-")[:1]
}

// extraRows gives each extra stack its own row against the baseline.
func extraRows(scenario string, d map[string][]float64, extra []stack) []StartupRow {
	var out []StartupRow
	for _, st := range extra {
		out = append(out, StartupRow{Scenario: scenario + " (" + st.name() + ")", Wpstack: summarize(d[st.name()]),
			Baseline: summarize(d["baseline"]), Ratio: summarize(ratios(d[st.name()], d["baseline"]))})
	}
	return out
}

func without(all, drop []string) []string {
	var out []string
	for _, a := range all {
		keep := true
		for _, d := range drop {
			if a == d {
				keep = false
			}
		}
		if keep {
			out = append(out, a)
		}
	}
	return out
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// hooks names the scenarios the bench does not measure, and why.
func hooks(ctx context.Context, bin string) []string {
	var out []string
	help, _ := execOutput(ctx, bin, "up", "--help")
	if !strings.Contains(string(help), "allinone") {
		out = append(out, "all-in-one vs split: this binary's `wpstack up --layout` has no allinone layout, so the wpstack-allinone rows are missing")
	}
	out = append(out, "rolling update on a multi-node swarm, node loss, and a broken release rolled back by the swarm itself: the bench uses one node; the end-to-end suite measures those on a 3-node cluster (TestSwarm, `MEASURE` lines in e2e.log)")
	out = append(out, "backup/restore for the baseline: the official images have no backup; the course rules out its host-cron mysqldump")
	return out
}
