// Command wpbench measures wpstack against the course's step 7 stack (the
// official wordpress image with a stock MariaDB, rebuilt from Debian
// packages: bench/baseline) on this machine, and writes the results as
// JSON, a Markdown report and PNG charts.
//
//	wpbench -wpstack bin/wpstack              # every scenario (make bench)
//	wpbench -wpstack bin/wpstack -quick       # a short smoke run (make bench QUICK=1)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

type flags struct {
	wpstack, out     string
	init             string // wpstack-init, for the cold runs
	quick            bool
	reps, coldReps   int
	duration, static time.Duration
	warmup           time.Duration
	densitySites     int
	budgetMiB        float64
	keep             bool
	rollingWindow    time.Duration
	noSwarm          bool
	rollingOnly      bool
	labContext       string
	render           string
	stack            string // wpstack's Debian stack (wpstack up --stack)
	compareStack     string // a second stack measured side by side: auto, none, trixie or bookworm
	// The edge scenario (issue 12).
	edgeSites     int
	edgeBudgetMiB float64
	edgeLock      string
	noEdge        bool
	edgeOnly      bool
	prefix        string
}

func main() {
	var f flags
	flag.StringVar(&f.wpstack, "wpstack", "bin/wpstack", "the wpstack binary to measure")
	flag.StringVar(&f.init, "wpstack-init", "internal/initbin/wpstack-init", "the wpstack-init that binary embeds (make build leaves it there); the cold runs copy it with a new hash")
	flag.StringVar(&f.out, "out", "bench", "folder for results/, REPORT.md and charts/ (REPORT.md only on a full run)")
	flag.BoolVar(&f.quick, "quick", false, "short smoke run: 1 repetition, c=10 only, 3 s runs, 2 density sites, no cold run")
	flag.IntVar(&f.reps, "reps", 3, "repetitions of every figure (the median is reported)")
	flag.IntVar(&f.coldReps, "cold-reps", 3, "repetitions of the cold start (each rebuilds every image without cache)")
	flag.DurationVar(&f.duration, "duration", 30*time.Second, "length of one load run on a WordPress page")
	flag.DurationVar(&f.static, "static-duration", 10*time.Second, "length of one load run on the static ceiling file")
	flag.DurationVar(&f.warmup, "warmup", 5*time.Second, "load before every measured run, not counted")
	flag.IntVar(&f.densitySites, "density-sites", 10, "sites per stack run together for the density figure")
	flag.Float64Var(&f.budgetMiB, "budget", 4096, "memory budget (MiB) for the sites-per-budget figure")
	flag.BoolVar(&f.keep, "keep", false, "leave the sites running at the end (for inspection)")
	flag.DurationVar(&f.rollingWindow, "rolling-window", 60*time.Second, "length of the load run each swarm update or rollback happens in")
	flag.BoolVar(&f.noSwarm, "no-swarm", false, "skip the rolling update scenario (it runs a throwaway Docker-in-Docker engine)")
	flag.BoolVar(&f.rollingOnly, "rolling-only", false, "run only the rolling update scenario and print its rows as JSON (nothing is written under -out)")
	flag.StringVar(&f.labContext, "lab-context", "test/e2e/testdata/swarmnode", "build context of the Docker-in-Docker image the rolling update scenario's swarm runs in")
	flag.StringVar(&f.stack, "stack", "trixie", "the stack wpstack's sites run: trixie or bookworm")
	flag.StringVar(&f.compareStack, "compare-stack", "auto", "a second wpstack stack measured side by side with -stack (cold, warm, restart, memory, images, home page load): auto = the other one, none = no second stack")
	flag.StringVar(&f.render, "render", "", "measure nothing: re-render REPORT.md and charts/ from this results JSON")
	flag.IntVar(&f.edgeSites, "edge-sites", 100, "idle sites with domains run together behind the edge (quick: 3)")
	flag.Float64Var(&f.edgeBudgetMiB, "edge-budget", 12288, "memory (MiB) the edge's 100 idle sites must fit in (the issue's 12 GiB)")
	flag.StringVar(&f.edgeLock, "edge-lock", "/tmp/wpstack-edge.lock", "the engine's edge lock (flock), held while the edge scenario runs")
	flag.BoolVar(&f.noEdge, "no-edge", false, "skip the edge scenario (it starts the engine's one edge)")
	flag.BoolVar(&f.edgeOnly, "edge-only", false, "run only the edge scenario: results under results/edge/, its own report next to them (never REPORT.md)")
	flag.StringVar(&f.prefix, "prefix", "bench", "first part of every site name the run makes")
	flag.Parse()
	edgeSitesSet := false
	flag.Visit(func(fl *flag.Flag) { edgeSitesSet = edgeSitesSet || fl.Name == "edge-sites" })
	if f.quick {
		f.reps, f.coldReps, f.duration, f.static, f.warmup, f.densitySites = 1, 0, 3*time.Second, 2*time.Second, time.Second, 2
		f.rollingWindow = 45 * time.Second
		if !edgeSitesSet {
			f.edgeSites = 3
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.render != "" {
		if err := rerender(f); err != nil {
			fmt.Fprintln(os.Stderr, "wpbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, f); err != nil {
		fmt.Fprintln(os.Stderr, "wpbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, f flags) (err error) {
	lg := log.New(os.Stderr, "wpbench: ", log.Ltime)
	if f.reps < 1 || f.densitySites < 1 || f.budgetMiB <= 0 || f.edgeSites < 1 || f.edgeBudgetMiB <= 0 {
		return errors.New("-reps, -density-sites, -budget, -edge-sites and -edge-budget must be positive")
	}
	if f.edgeOnly && (f.noEdge || f.rollingOnly) {
		return errors.New("-edge-only runs the edge scenario alone: leave out -no-edge and -rolling-only")
	}
	if f.stack != "trixie" && f.stack != "bookworm" {
		return fmt.Errorf("-stack %q: use trixie or bookworm", f.stack)
	}
	switch f.compareStack {
	case "auto", "none", "trixie", "bookworm":
	default:
		return fmt.Errorf("-compare-stack %q: use auto (the other stack), none, trixie or bookworm", f.compareStack)
	}
	if !validPrefix.MatchString(f.prefix) {
		return fmt.Errorf("-prefix %q: use lower-case letters, digits and dashes, starting with a letter (such as bench)", f.prefix)
	}
	bin, err := filepath.Abs(f.wpstack)
	if err != nil {
		return err
	}
	f.wpstack = bin
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("the wpstack binary: %w; run `make build` first or pass -wpstack", err)
	}
	if f.init, err = filepath.Abs(f.init); err != nil {
		return err
	}
	if _, err := os.Stat(f.init); err != nil {
		return fmt.Errorf("wpstack-init: %w; run `make build` first or pass -wpstack-init", err)
	}
	work, err := os.MkdirTemp("", "wpt-e-bench-")
	if err != nil {
		return fmt.Errorf("work folder: %w", err)
	}
	defer os.RemoveAll(work)

	concs := []int{1, 10, 50}
	if f.quick {
		concs = []int{10}
	}
	res := &Results{Started: time.Now().UTC(), Machine: readMachine(ctx), Config: Config{
		Quick: f.quick, Reps: f.reps, ColdReps: f.coldReps, Concurrency: concs, DurationS: f.duration.Seconds(),
		StaticS: f.static.Seconds(), WarmupS: f.warmup.Seconds(), DensitySites: f.densitySites, BudgetMiB: f.budgetMiB,
		AdminPage: "/wp-admin/edit.php", AdminConc: 10, LoadGenerator: "wrk (Debian package)",
		RollingWindowS: f.rollingWindow.Seconds(), Stack: f.stack, EdgeSites: f.edgeSites,
	}}
	if f.noEdge {
		res.Config.EdgeSites = 0
	}
	if f.edgeOnly {
		res.Config.Only, res.Config.ColdReps = "edge", 0
	}
	lg.Printf("machine: %d cores, %s, load average %s", res.Machine.Cores, res.Machine.CPUModel, res.Machine.LoadAtStart)
	gen, err := newLoadGen(ctx, work)
	if err != nil {
		return err
	}
	if out, err := runOut(ctx, bin, "--version"); err == nil {
		res.Versions.Wpstack = strings.TrimPrefix(strings.TrimSpace(out), "wpstack version ")
	}

	if f.rollingOnly {
		return rollingOnly(ctx, f, lg, gen, bin, work, res)
	}
	if f.edgeOnly {
		return edgeOnly(ctx, f, lg, gen, bin, work, res)
	}

	// The WordPress tree both stacks serve, and the baseline's images.
	src, err := wordpressTree(ctx, "", false, "")
	if err != nil {
		return fmt.Errorf("resolve WordPress from Debian: %w", err)
	}
	res.Versions.WordPress = src.Version
	base := &baselineStack{dir: filepath.Join(work, "baseline"), webImage: "wpt-e-wordpress:bench", dbImage: "wpt-e-mariadb:bench",
		passwordOf: func(s string) string { return "bench-" + s }}
	lg.Printf("building the baseline images (layer cache allowed)")
	if err := buildBaseline(ctx, work, src.Dir, base.webImage, base.dbImage, false); err != nil {
		return err
	}
	res.Versions.BaseWeb, res.Versions.BaseDB = base.webImage, base.dbImage
	wp := &wpstackStack{bin: bin, home: filepath.Join(work, "wpstack-home"), stack: f.stack}

	b := &bench{cfg: res.Config, log: lg, gen: gen, stacks: []stack{wp, base}, res: res,
		made: map[stack][]string{}, main: map[stack]site{}, prefix: f.prefix}
	if help, err := execOutput(ctx, bin, "up", "--help"); err == nil && strings.Contains(string(help), "allinone") {
		b.extra = append(b.extra, &wpstackStack{bin: bin, home: wp.home, layout: "allinone", stack: f.stack})
	}
	if other := compareStack(f.stack, f.compareStack); other != "" {
		b.compare = &wpstackStack{bin: bin, home: wp.home, stack: other, label: "wpstack-" + other}
		b.extra = append(b.extra, b.compare)
		res.Config.CompareStack = other
	}
	defer func() {
		if f.keep {
			return
		}
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		for st, names := range b.made {
			for _, n := range names {
				if derr := st.destroy(cctx, n); derr != nil {
					lg.Printf("cleanup: %v", derr)
				}
			}
		}
	}()

	if err := b.scenarios(ctx, f, src.Dir, work); err != nil {
		return err
	}
	res.Missing = append(res.Missing, hooks(ctx, bin)...)
	res.Finished = time.Now().UTC()
	res.Machine.LoadAtEnd = loadAverage()
	return write(f, res, lg)
}

// compareStack is the stack measured next to the run's own one: "auto"
// is the other of trixie and bookworm; none, or the run's own stack, is
// no second stack.
func compareStack(own, flag string) string {
	switch flag {
	case "none", own:
		return ""
	case "auto":
		if own == "trixie" {
			return "bookworm"
		}
		return "trixie"
	}
	return flag
}

func runOut(ctx context.Context, bin string, args ...string) (string, error) {
	out, err := execOutput(ctx, bin, args...)
	return string(out), err
}

// write puts the JSON under results/ and, on a full run, the report and
// charts next to it; a quick run writes its JSON under results/quick/ so
// it never replaces the committed report.
func write(f flags, res *Results, lg *log.Logger) error {
	host := res.Machine.Host
	if host == "" {
		host = "unknown"
	}
	dir := filepath.Join(f.out, "results")
	if f.quick {
		dir = filepath.Join(dir, "quick")
	}
	if res.Config.Only != "" {
		dir = filepath.Join(dir, res.Config.Only)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results folder: %w", err)
	}
	jsonPath := filepath.Join(dir, res.Started.Format("2006-01-02T150405Z")+"-"+host+".json")
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", jsonPath, err)
	}
	lg.Printf("results: %s", jsonPath)
	reportDir := f.out
	if f.quick || res.Config.Only != "" {
		reportDir = filepath.Join(dir, "report")
	}
	charts, err := writeCharts(res, filepath.Join(reportDir, "charts"))
	if err != nil {
		return err
	}
	md := renderReport(res, filepath.Base(jsonPath), charts)
	rp := filepath.Join(reportDir, "REPORT.md")
	if err := os.WriteFile(rp, []byte(md), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rp, err)
	}
	lg.Printf("report: %s", rp)
	return nil
}

// rerender draws the report of an earlier run again.
func rerender(f flags) error {
	b, err := os.ReadFile(f.render)
	if err != nil {
		return fmt.Errorf("read results: %w", err)
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("parse results %s: %w", f.render, err)
	}
	dir := filepath.Dir(filepath.Dir(f.render)) // results/<file> → the report folder
	if res.Config.Quick || res.Config.Only != "" {
		dir = filepath.Join(filepath.Dir(f.render), "report")
	}
	charts, err := writeCharts(&res, filepath.Join(dir, "charts"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "REPORT.md"), []byte(renderReport(&res, filepath.Base(f.render), charts)), 0o644)
}

// rollingOnly runs the rolling update scenario alone: a site on this engine
// gives the images (its own are built if missing), then the scenario runs
// in its throwaway engine. The rows go to stdout.
func rollingOnly(ctx context.Context, f flags, lg *log.Logger, gen *loadGen, bin, work string, res *Results) error {
	wp := &wpstackStack{bin: bin, home: filepath.Join(work, "wpstack-home"), stack: f.stack}
	b := &bench{cfg: res.Config, log: lg, gen: gen, stacks: []stack{wp}, res: res, made: map[stack][]string{}, main: map[stack]site{}, prefix: f.prefix}
	port, err := freePort()
	if err != nil {
		return err
	}
	seed := f.prefix + "-s-seed"
	if err := wp.create(ctx, seed, port, "Bench "+seed); err != nil {
		return err
	}
	images, err := b.siteImages(ctx, wp, seed)
	if derr := wp.destroy(context.WithoutCancel(ctx), seed); derr != nil {
		lg.Printf("cleanup: %v", derr)
	}
	if err != nil {
		return err
	}
	if err := b.rolling(ctx, wp, f.reps, f.rollingWindow, f.labContext, images); err != nil {
		return err
	}
	out, err := json.MarshalIndent(res.Rolling, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

var validPrefix = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// edgeOnly runs the edge scenario alone (wpstack's images are built by its
// first site when missing) and writes its results and report apart from
// the full run's.
func edgeOnly(ctx context.Context, f flags, lg *log.Logger, gen *loadGen, bin, work string, res *Results) error {
	wp := &wpstackStack{bin: bin, home: filepath.Join(work, "wpstack-home")}
	b := &bench{cfg: res.Config, log: lg, gen: gen, stacks: []stack{wp}, res: res, made: map[stack][]string{}, main: map[stack]site{}, prefix: f.prefix}
	written := false
	err := b.edge(ctx, wp, f, func() error {
		res.Finished = time.Now().UTC()
		res.Machine.LoadAtEnd = loadAverage()
		written = true
		return write(f, res, lg)
	})
	if !f.keep {
		for _, n := range b.made[wp] {
			if derr := wp.destroy(context.WithoutCancel(ctx), n); derr != nil {
				lg.Printf("cleanup: %v", derr)
			}
		}
	}
	if err == nil && !written {
		err = errors.New("the edge scenario ended without its results")
	}
	return err
}
