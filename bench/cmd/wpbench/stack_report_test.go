package main

import (
	"strings"
	"testing"
)

func TestCompareStack(t *testing.T) {
	for _, tc := range []struct{ own, flag, want string }{
		{"trixie", "auto", "bookworm"},
		{"bookworm", "auto", "trixie"},
		{"trixie", "none", ""},
		{"trixie", "trixie", ""},
		{"trixie", "bookworm", "bookworm"},
	} {
		if got := compareStack(tc.own, tc.flag); got != tc.want {
			t.Errorf("compareStack(%q, %q) = %q, want %q", tc.own, tc.flag, got, tc.want)
		}
	}
}

func TestStackRows(t *testing.T) {
	one := func(v float64) Summary { return summarize([]float64{v}) }
	res := &Results{Config: Config{Stack: "trixie", CompareStack: "bookworm", Concurrency: []int{1, 10}},
		Startup: []StartupRow{{Scenario: "warm", Wpstack: one(3.2)}, {Scenario: "warm (wpstack-bookworm)", Wpstack: one(3.4)},
			{Scenario: "warm (wpstack-allinone)", Wpstack: one(9)}},
		Load: []LoadRow{
			{Page: "home", Concurrency: 1, Stack: "wpstack", RPS: one(50)},
			{Page: "home", Concurrency: 10, Stack: "wpstack", RPS: one(120), P99: one(80)},
			{Page: "home", Concurrency: 10, Stack: "wpstack-bookworm", RPS: one(100), P99: one(95)},
			{Page: "static", Concurrency: 10, Stack: "wpstack-bookworm", RPS: one(9999)},
		},
		Memory: []MemoryRow{{Stack: "wpstack", IdleSite: one(110)}, {Stack: "wpstack-bookworm", IdleSite: one(120)}},
		Images: []ImageRow{{Stack: "wpstack-bookworm", MiB: map[string]float64{"web": 280}, Ref: map[string]string{"web": "wpstack/web:6.1.9-x"}}},
	}
	got := map[string][2]string{}
	for _, r := range stackRows(res) {
		got[r[0]] = [2]string{r[1], r[2]}
	}
	for what, want := range map[string][2]string{
		"warm start, s":                        {"3.2", "3.4"},
		"home req/s, c=10":                     {"120.0", "100.0"},
		"home p99 ms, c=10":                    {"80.0", "95.0"},
		"idle memory per site (web + db), MiB": {"110.0", "120.0"},
		"web image, MiB":                       {"—", "280 (`wpstack/web:6.1.9-x`)"},
	} {
		if got[what] != want {
			t.Errorf("%s: %q, want %q", what, got[what], want)
		}
	}
	if _, ok := got["home req/s, c=1"]; ok {
		t.Errorf("a concurrency the compared stack did not run has a row: %v", got)
	}
	for what := range got {
		if strings.Contains(what, "cold") {
			t.Errorf("a scenario not measured has a row: %s", what)
		}
	}
	if rows := stackRows(&Results{}); rows != nil {
		t.Errorf("no compared stack, rows %v", rows)
	}
}
