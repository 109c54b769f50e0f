package main

import (
	"fmt"
	"strings"
)

// stackRows are the two Debian stacks side by side: the run's own
// ("wpstack") and the compared one ("wpstack-<release>"), one row per
// figure, on the same machine in the same run.
func stackRows(res *Results) [][3]string {
	other := res.Config.CompareStack
	if other == "" {
		return nil
	}
	own, cmp := "wpstack", "wpstack-"+other
	var out [][3]string
	add := func(what, a, b string) { out = append(out, [3]string{what, a, b}) }
	for _, sc := range []string{"cold", "warm", "restart"} {
		var a, b string
		for _, r := range res.Startup {
			switch r.Scenario {
			case sc:
				a = fmtS(r.Wpstack, 1)
			case sc + " (" + cmp + ")":
				b = fmtS(r.Wpstack, 1)
			}
		}
		if a != "" || b != "" {
			add(sc+" start, s", dash(a), dash(b))
		}
	}
	for _, c := range res.Config.Concurrency {
		var ra, rb, pa, pb string
		for _, r := range res.Load {
			if r.Page != "home" || r.Concurrency != c {
				continue
			}
			switch r.Stack {
			case own:
				ra, pa = fmtS(r.RPS, 1), fmtS(r.P99, 1)
			case cmp:
				rb, pb = fmtS(r.RPS, 1), fmtS(r.P99, 1)
			}
		}
		if rb == "" {
			continue // the compared stack runs at c=10 and the top concurrency only
		}
		add(fmt.Sprintf("home req/s, c=%d", c), dash(ra), rb)
		add(fmt.Sprintf("home p99 ms, c=%d", c), dash(pa), pb)
	}
	mem := func(stack string) (idle, load string) {
		for _, m := range res.Memory {
			if m.Stack == stack {
				return fmtS(m.IdleSite, 1), fmtS(m.LoadSite, 1)
			}
		}
		return "—", "—"
	}
	ia, la := mem(own)
	ib, lb := mem(cmp)
	add("idle memory per site (web + db), MiB", ia, ib)
	add("memory per site under load, MiB", la, lb)
	img := func(stack, role string) string {
		for _, r := range res.Images {
			if r.Stack == stack {
				if v, ok := r.MiB[role]; ok {
					return fmt.Sprintf("%.0f (`%s`)", v, r.Ref[role])
				}
			}
		}
		return "—"
	}
	for _, role := range []string{"web", "db"} {
		add(role+" image, MiB", img(own, role), img(cmp, role))
	}
	return out
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
