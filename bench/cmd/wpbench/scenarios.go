package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"sync"
	"time"
)

// bench holds what the scenarios share.
type bench struct {
	cfg    Config
	log    *log.Logger
	gen    *loadGen
	stacks []stack // wpstack (split) first, then the baseline
	extra  []stack // more wpstack layouts and stacks, compared with both
	// compare is the second Debian stack among extra (nil: none).
	compare *wpstackStack
	res     *Results
	// sites made by this run, per stack, for cleanup.
	made map[stack][]string
	// the site per stack the load runs hit.
	main  map[stack]site
	ports map[string]int
	// prefix starts every site name the run makes ("bench").
	prefix string
}

type site struct {
	name  string
	port  int
	title string
}

func (s site) url() string { return fmt.Sprintf("http://127.0.0.1:%d/", s.port) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// order rotates which stack goes first, so none always runs on a machine
// another just warmed or loaded.
func order(rep int, stacks []stack) []stack {
	out := make([]stack, 0, len(stacks))
	for i := range stacks {
		out = append(out, stacks[(rep+i)%len(stacks)])
	}
	return out
}

func (b *bench) order(rep int) []stack { return order(rep, b.stacks) }

// newSite creates a site on st and returns how long it took until the
// home page served, checked by the bench itself.
func (b *bench) newSite(ctx context.Context, st stack, name string) (site, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return site{}, 0, err
	}
	s := site{name: name, port: port, title: "Bench " + name}
	b.made[st] = append(b.made[st], name)
	start := time.Now()
	if err := st.create(ctx, name, port, s.title); err != nil {
		return s, 0, fmt.Errorf("%s: create site %s: %w", st.name(), name, err)
	}
	if err := poll(ctx, time.Minute, "home page of "+name, func() bool { return homeServes(ctx, newClient(), s.url(), s.title) }); err != nil {
		return s, 0, err
	}
	d := time.Since(start)
	b.log.Printf("%s: site %s serving in %.1fs", st.name(), name, d.Seconds())
	return s, d, nil
}

// restart stops a site and times its start until the home page serves.
func (b *bench) restart(ctx context.Context, st stack, s site) (time.Duration, error) {
	if err := st.stop(ctx, s.name); err != nil {
		return 0, err
	}
	start := time.Now()
	if err := st.start(ctx, s.name); err != nil {
		return 0, err
	}
	if err := poll(ctx, 2*time.Minute, "home page of "+s.name+" after restart", func() bool { return homeServes(ctx, newClient(), s.url(), s.title) }); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// startupRow turns paired durations into a row.
func startupRow(scenario, target string, d map[string][]float64) StartupRow {
	return StartupRow{Scenario: scenario, Target: target,
		Wpstack: summarize(d["wpstack"]), Baseline: summarize(d["baseline"]),
		Ratio: summarize(ratios(d["wpstack"], d["baseline"]))}
}

// loadSeries runs wrk on one page of each stack, interleaved, rep by rep.
type loadKey struct {
	page  string
	conc  int
	stack string
}

func (b *bench) loadSeries(ctx context.Context, stacks []stack, page string, concs []int, d time.Duration, headers map[stack][]string,
	path string, raw map[loadKey][]LoadResult, during func(st stack, c int)) error {
	for rep := 0; rep < b.cfg.Reps; rep++ {
		for _, c := range concs {
			for _, st := range order(rep, stacks) {
				u := b.main[st].url() + strings.TrimPrefix(path, "/")
				if b.cfg.WarmupS > 0 {
					if _, err := b.gen.run(ctx, u, c, time.Duration(b.cfg.WarmupS*float64(time.Second)), headers[st]...); err != nil {
						return err
					}
				}
				var wg sync.WaitGroup
				if during != nil {
					wg.Add(1)
					go func() { defer wg.Done(); during(st, c) }()
				}
				r, err := b.gen.run(ctx, u, c, d, headers[st]...)
				wg.Wait()
				if err != nil {
					return err
				}
				k := loadKey{page, c, st.name()}
				raw[k] = append(raw[k], r)
				b.log.Printf("%s %s c=%d rep %d: %.1f req/s p50 %.1fms p99 %.1fms errors %d", st.name(), page, c, rep+1, r.RPS, r.P50ms, r.P99ms, r.Errors)
			}
		}
	}
	return nil
}

func loadRows(raw map[loadKey][]LoadResult, page string, concs []int, stacks []stack) []LoadRow {
	var rows []LoadRow
	for _, c := range concs {
		for _, st := range stacks {
			rs := raw[loadKey{page, c, st.name()}]
			if len(rs) == 0 {
				continue
			}
			row := LoadRow{Page: page, Concurrency: c, Stack: st.name()}
			var rps, p50, p95, p99 []float64
			for _, r := range rs {
				rps, p50, p95, p99 = append(rps, r.RPS), append(p50, r.P50ms), append(p95, r.P95ms), append(p99, r.P99ms)
				row.Errors += r.Errors
				row.Requests += r.Reqs
			}
			row.RPS, row.P50, row.P95, row.P99 = summarize(rps), summarize(p50), summarize(p95), summarize(p99)
			rows = append(rows, row)
		}
	}
	return rows
}

func series(rs []LoadResult, f func(LoadResult) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

// addRatios fills wpstack rows with ratios to the baseline and every row
// with its fraction of its own web server's static ceiling.
func addRatios(rows []LoadRow, raw map[loadKey][]LoadResult) {
	rps := func(r LoadResult) float64 { return r.RPS }
	p99 := func(r LoadResult) float64 { return r.P99ms }
	for i := range rows {
		r := &rows[i]
		mine := raw[loadKey{r.Page, r.Concurrency, r.Stack}]
		if r.Stack != "baseline" {
			other := raw[loadKey{r.Page, r.Concurrency, "baseline"}]
			if len(other) > 0 {
				a, p := summarize(ratios(series(mine, rps), series(other, rps))), summarize(ratios(series(mine, p99), series(other, p99)))
				r.RPSRatio, r.P99Ratio = &a, &p
			}
		}
		if r.Page != "static" {
			if ceil := raw[loadKey{"static", r.Concurrency, r.Stack}]; len(ceil) > 0 {
				f := summarize(ratios(series(mine, rps), series(ceil, rps)))
				r.OfCeiling = &f
			}
		}
	}
}

// memorySampler records per-container memory during a load run.
type memorySampler struct {
	mu      sync.Mutex
	samples map[string]map[string][]float64 // stack → container role → MiB
	sites   map[string][]float64            // stack → site total
}

func (m *memorySampler) add(stackName string, roles map[string]float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.samples == nil {
		m.samples, m.sites = map[string]map[string][]float64{}, map[string][]float64{}
	}
	if m.samples[stackName] == nil {
		m.samples[stackName] = map[string][]float64{}
	}
	total := 0.0
	for role, v := range roles {
		m.samples[stackName][role] = append(m.samples[stackName][role], v)
		total += v
	}
	m.sites[stackName] = append(m.sites[stackName], total)
}

// siteMemory reads a site's containers, keyed by role.
func (b *bench) siteMemory(ctx context.Context, st stack, name string) (map[string]float64, error) {
	cs := st.containers(name)
	var names []string
	for _, c := range cs {
		names = append(names, c)
	}
	m, err := memoryMiB(ctx, names)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for role, c := range cs {
		v, ok := m[c]
		if !ok {
			return nil, fmt.Errorf("memory of %s: docker stats did not list %s", name, c)
		}
		out[role] = v
	}
	return out, nil
}

// staticCopy puts the home page's bytes in the webroot as a static file,
// served by the same Apache.
func (b *bench) staticCopy(ctx context.Context, st stack, s site) error {
	_, body, err := get(ctx, newClient(), s.url())
	if err != nil {
		return fmt.Errorf("read the home page of %s: %w", s.name, err)
	}
	_, err = dockerIn(ctx, []byte(body), "exec", "-i", "-u", "www-data", st.web(s.name), "sh", "-c", "cat > /var/www/html/wpbench-static.html")
	return err
}
