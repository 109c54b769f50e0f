package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// chart is one grouped bar chart: one group per label, one bar per series.
type chart struct {
	file, title, ylabel string
	labels              []string
	series              []barSeries
}

type barSeries struct {
	name   string
	values []float64 // medians, one per label
}

var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
}

func (c chart) save(dir string) error {
	p := plot.New()
	p.Title.Text = c.title
	p.Y.Label.Text = c.ylabel
	p.Legend.Top = true
	w := vg.Points(18)
	for i, s := range c.series {
		bars, err := plotter.NewBarChart(plotter.Values(s.values), w)
		if err != nil {
			return fmt.Errorf("chart %s: %w", c.file, err)
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(float64(i)-float64(len(c.series)-1)/2)
		p.Add(bars)
		p.Legend.Add(s.name, bars)
	}
	p.NominalX(c.labels...)
	// Room for the legend above the bars and beside the outer groups.
	p.X.Min, p.X.Max = -0.7, float64(len(c.labels))-0.3
	p.Y.Min, p.Y.Max = 0, p.Y.Max*1.3
	if err := p.Save(7*vg.Inch, 4*vg.Inch, filepath.Join(dir, c.file)); err != nil {
		return fmt.Errorf("save chart %s: %w", c.file, err)
	}
	return nil
}

// writeCharts draws the report's charts and returns their file names.
func writeCharts(res *Results, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("charts folder: %w", err)
	}
	var charts []chart

	// Throughput and p99 per concurrency; a stack not run at some
	// concurrency gets an empty bar there.
	names := []string{"wpstack", "baseline", "wpstack-allinone"}
	extras := []string{"wpstack-allinone"}
	if cs := res.Config.CompareStack; cs != "" {
		names = append(names, "wpstack-"+cs)
		extras = append(extras, "wpstack-"+cs)
	}
	var labels []string
	rps, p99, ceil := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	for _, c := range res.Config.Concurrency {
		labels = append(labels, fmt.Sprintf("c=%d", c))
		for _, n := range names {
			v := [3]float64{math.NaN(), math.NaN(), math.NaN()}
			found := false
			for _, r := range res.Load {
				if r.Concurrency == c && r.Page == "home" && r.Stack == n {
					found = true
					v[0], v[1] = r.RPS.Median, r.P99.Median
					if r.OfCeiling != nil {
						v[2] = 100 * r.OfCeiling.Median
					}
				}
			}
			if found || len(rps[n]) > 0 {
				rps[n], p99[n], ceil[n] = append(rps[n], v[0]), append(p99[n], v[1]), append(ceil[n], v[2])
			}
		}
	}
	for _, n := range names {
		for len(rps[n]) > 0 && len(rps[n]) < len(labels) {
			// A stack first seen at a later concurrency: pad its front.
			rps[n], p99[n], ceil[n] = append([]float64{math.NaN()}, rps[n]...), append([]float64{math.NaN()}, p99[n]...), append([]float64{math.NaN()}, ceil[n]...)
		}
	}
	charts = append(charts,
		chart{file: "throughput.png", title: "Home page throughput (median)", ylabel: "requests/s", labels: labels,
			series: pick(rps, names...)},
		chart{file: "ceiling.png", title: "Home page as a share of the same bytes served as a static file", ylabel: "% of the static ceiling", labels: labels,
			series: pick(ceil, "wpstack", "baseline")},
		chart{file: "latency_p99.png", title: "Home page p99 latency (median of runs)", ylabel: "ms", labels: labels,
			series: pick(p99, names...)},
	)

	// Startup: cold, warm, restart; the extra layout where it was measured.
	var sl []string
	st := map[string][]float64{}
	hasExtra := map[string]bool{}
	for _, r := range res.Startup {
		if strings.Contains(r.Scenario, "(") {
			continue
		}
		sl = append(sl, r.Scenario)
		st["wpstack"] = append(st["wpstack"], r.Wpstack.Median)
		st["baseline"] = append(st["baseline"], r.Baseline.Median)
		for _, e := range extras {
			v := math.NaN()
			for _, x := range res.Startup {
				if x.Scenario == r.Scenario+" ("+e+")" {
					v = x.Wpstack.Median
					hasExtra[e] = true
				}
			}
			st[e] = append(st[e], v)
		}
	}
	for _, e := range extras {
		if !hasExtra[e] {
			delete(st, e)
		}
	}
	charts = append(charts, chart{file: "startup.png", title: "Time to a serving home page (median)", ylabel: "seconds",
		labels: sl, series: pick(st, names...)})

	// Memory per site.
	mem := map[string][]float64{}
	for _, m := range res.Memory {
		mem[m.Stack] = []float64{m.IdleSite.Median, m.LoadSite.Median}
	}
	charts = append(charts, chart{file: "memory.png", title: "Memory per site, web + db (median)", ylabel: "MiB",
		labels: []string{"idle", fmt.Sprintf("under load (c=%d)", res.Config.Concurrency[len(res.Config.Concurrency)-1])},
		series: pick(mem, names...)})

	// The edge: the cached page against the static file (the uncached
	// page, two orders of magnitude lower, is in the table).
	if res.Edge != nil {
		ep := []string{"cached", "static-edge", "static-direct"}
		ev := map[string][]float64{}
		var el []string
		for _, c := range sortedConcs(res.Edge.CachedOfStatic) {
			el = append(el, fmt.Sprintf("c=%d", c))
			for _, p := range ep {
				v := math.NaN()
				for _, r := range res.Edge.Load {
					if r.Page == p && r.Concurrency == c {
						v = r.RPS.Median
					}
				}
				ev[p] = append(ev[p], v)
			}
		}
		charts = append(charts, chart{file: "edge.png", title: "Through the edge: cached home page and the static file (median)", ylabel: "requests/s",
			labels: el, series: pick(ev, ep...)})
	}

	var files []string
	for _, c := range charts {
		if len(c.labels) == 0 || len(c.series) == 0 {
			continue
		}
		if err := c.save(dir); err != nil {
			return nil, err
		}
		files = append(files, c.file)
	}
	return files, nil
}

// pick returns the named series that have a value for every label.
func pick(m map[string][]float64, names ...string) []barSeries {
	var out []barSeries
	for _, n := range names {
		if v, ok := m[n]; ok {
			clean := make([]float64, len(v))
			for i, x := range v {
				if !math.IsNaN(x) {
					clean[i] = x
				}
			}
			out = append(out, barSeries{name: n, values: clean})
		}
	}
	return out
}
