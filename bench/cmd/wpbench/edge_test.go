package main

import (
	"math"
	"strings"
	"testing"
)

func row(page string, c int, rps ...float64) LoadRow {
	return LoadRow{Page: page, Concurrency: c, RPS: summarize(rps)}
}

// The targets' figures come from the rows, pair by pair, and pass or fail
// by the thresholds.
func TestEdgeTargets(t *testing.T) {
	idle100 := IdleSites{Sites: 100, Made: 100, Serving: 100, UpS: make([]float64, 100), TotalMiB: 11000, BudgetMiB: 12288}
	for _, tc := range []struct {
		name string
		load []LoadRow
		idle IdleSites
		want map[string]string // target prefix → met
	}{
		{
			name: "all met",
			load: []LoadRow{
				row("cached", 10, 3000, 3300), row("static-edge", 10, 4000, 6000),
				row("uncached-direct", 10, 30, 32), row("uncached-edge", 10, 29.5, 31),
			},
			idle: idle100,
			want: map[string]string{
				"cached home ≥ 50% of the static ceiling through the edge, c=10": "yes",
				"cached home ≥ 50× the uncached page (direct), c=10":             "yes",
				"edge overhead on uncached pages ≤ 5%, c=10":                     "yes",
				"100 idle sites with domains within 12 GiB":                      "yes",
			},
		},
		{
			name: "cache too slow, edge too heavy, sites too big",
			load: []LoadRow{
				row("cached", 50, 2000), row("static-edge", 50, 4500),
				row("uncached-direct", 50, 30), row("uncached-edge", 50, 27),
			},
			idle: IdleSites{Sites: 100, Made: 100, Serving: 100, UpS: make([]float64, 100), TotalMiB: 13000, BudgetMiB: 12288},
			want: map[string]string{
				"cached home ≥ 50% of the static ceiling through the edge, c=50": "**no**",
				"cached home ≥ 50× the uncached page (direct), c=50":             "yes",
				"edge overhead on uncached pages ≤ 5%, c=50":                     "**no**",
				"100 idle sites with domains within 12 GiB":                      "**no**",
			},
		},
		{
			name: "a site that did not serve fails the density target",
			load: []LoadRow{row("cached", 10, 1500), row("uncached-direct", 10, 31)},
			idle: IdleSites{Sites: 100, Made: 100, Serving: 99, UpS: make([]float64, 100), TotalMiB: 9000, BudgetMiB: 12288},
			want: map[string]string{
				"cached home ≥ 50× the uncached page (direct), c=10": "**no**",
				"100 idle sites with domains within 12 GiB":          "**no**",
			},
		},
		{
			name: "repetitions on both sides of a threshold",
			load: []LoadRow{row("uncached-direct", 10, 30, 30, 30), row("uncached-edge", 10, 30, 28.8, 27), row("cached", 10, 3000, 3000, 3000)},
			idle: idle100,
			want: map[string]string{"edge overhead on uncached pages ≤ 5%, c=10": "yes (the repetitions fall on both sides)"},
		},
		{
			name: "fewer than 100 sites is a projection, never a pass",
			load: []LoadRow{row("cached", 10, 3000), row("uncached-direct", 10, 30)},
			idle: IdleSites{Sites: 3, Made: 3, Serving: 3, UpS: []float64{10, 11, 12}, TotalMiB: 320, ProjectedMiB: 10100, BudgetMiB: 12288},
			want: map[string]string{"100 idle sites with domains within 12 GiB": "— (fewer than 100 sites; projected: yes)"},
		},
		{
			name: "a site that did not come up",
			load: []LoadRow{row("cached", 10, 3000)},
			idle: IdleSites{Sites: 100, Made: 41, Failed: "site 42 of 100: boom", UpS: make([]float64, 41), BudgetMiB: 12288},
			want: map[string]string{"100 idle sites with domains within 12 GiB": "**no**"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &Results{Edge: &EdgeResults{Load: tc.load, Idle: tc.idle}}
			got := map[string]string{}
			for _, r := range edgeTargets(res) {
				got[r[0]] = r[2]
			}
			for target, met := range tc.want {
				if got[target] != met {
					t.Errorf("%s: met %q, want %q (all: %v)", target, got[target], met, got)
				}
			}
			if md := renderEdge(res); !strings.Contains(md, "| page | c | via |") {
				t.Errorf("the edge section has no load table:\n%s", md)
			}
		})
	}
}

func TestEdgeFiguresPairByPair(t *testing.T) {
	e := &EdgeResults{Load: []LoadRow{
		row("cached", 10, 2000, 3000, 2500), row("static-edge", 10, 4000, 3000, 5000),
		row("uncached-direct", 10, 20, 30, 25), row("uncached-edge", 10, 19, 30, 20),
		row("notfound-http", 10, 10000), row("notfound-https", 10, 6000),
	}}
	edgeFigures(e)
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	// Ratios 0.5, 1, 0.5 → median 0.5; not the ratio of the medians (2500/4000).
	near("cached of static", e.CachedOfStatic[10].Median, 0.5)
	near("cached over direct", e.CachedOverDirect[10].Median, 100)
	// Overheads 0.05, 0, 0.2 → median 0.05.
	near("overhead", e.Overhead[10].Median, 0.05)
	near("https of http", e.HTTPSOfHTTP["keep-alive"].Median, 0.6)
	if s := e.HTTPSOfHTTP["new connection per request"]; s.N != 0 {
		t.Errorf("a figure with no rows has %d values", s.N)
	}
}
