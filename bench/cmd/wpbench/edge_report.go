package main

import (
	"fmt"
	"sort"
	"strings"
)

// edgeTargets are issue 12's goals next to this run's figures, computed
// from what it measured.
func edgeTargets(res *Results) [][3]string {
	if res.Edge == nil {
		return [][3]string{{"the edge's targets (cache, overhead, 100 idle sites)", "not measured (see 8)", "—"}}
	}
	e := figures(res.Edge)
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	// The median decides; when the repetitions fall on both sides of the
	// threshold, the verdict says so.
	split := func(s Summary, atLeast bool, limit float64) string {
		ok := s.N > 0 && ((atLeast && s.Median >= limit) || (!atLeast && s.Median <= limit))
		v := yes(ok)
		if s.N > 1 && s.Min < limit && s.Max > limit {
			v += " (the repetitions fall on both sides)"
		}
		return v
	}
	var out [][3]string
	for _, c := range sortedConcs(e.CachedOfStatic) {
		s := e.CachedOfStatic[c]
		out = append(out, [3]string{fmt.Sprintf("cached home ≥ 50%% of the static ceiling through the edge, c=%d", c), pct(&s), split(s, true, 0.5)})
	}
	for _, c := range sortedConcs(e.CachedOverDirect) {
		s := e.CachedOverDirect[c]
		out = append(out, [3]string{fmt.Sprintf("cached home ≥ 50× the uncached page (direct), c=%d", c), fmtS(s, 0) + "×", split(s, true, 50)})
	}
	for _, c := range sortedConcs(e.Overhead) {
		s := e.Overhead[c]
		out = append(out, [3]string{fmt.Sprintf("edge overhead on uncached pages ≤ 5%%, c=%d", c), pct(&s), split(s, false, 0.05)})
	}
	id := e.Idle
	target := fmt.Sprintf("100 idle sites with domains within %.0f GiB", id.BudgetMiB/1024)
	switch {
	case id.Sites == 0:
		out = append(out, [3]string{target, "not measured", "—"})
	case id.Failed != "":
		out = append(out, [3]string{target, fmt.Sprintf("%d of %d sites came up (%s); %.0f MiB for those and the edge", id.Made, id.Sites, id.Failed, id.TotalMiB), "**no**"})
	case id.Sites >= 100:
		out = append(out, [3]string{target, fmt.Sprintf("%.0f MiB for %d sites and the edge (%d serving)", id.TotalMiB, id.Sites, id.Serving),
			yes(id.TotalMiB <= id.BudgetMiB && id.Serving == id.Sites)})
	default:
		out = append(out, [3]string{target, fmt.Sprintf("%d sites measured: %.0f MiB; %.0f MiB projected for 100 (per site × 100 + the edge)", id.Sites, id.TotalMiB, id.ProjectedMiB),
			fmt.Sprintf("— (fewer than 100 sites; projected: %s)", strings.Trim(yes(id.ProjectedMiB <= id.BudgetMiB), "*"))})
	}
	return out
}

// figures is a copy of e with the pair-by-pair figures computed from its
// rows, so a re-rendered report computes them as the run did.
func figures(e *EdgeResults) *EdgeResults {
	c := *e
	edgeFigures(&c)
	return &c
}

func sortedConcs(m map[int]Summary) []int {
	var out []int
	for c := range m {
		out = append(out, c)
	}
	sort.Ints(out)
	return out
}

// renderEdge is the report's section on the edge.
func renderEdge(res *Results) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	e := figures(res.Edge)
	w("One nginx edge (`wpstack-edge`) on ports %d (HTTP) and %d (HTTPS), in the same run: three sites made for the load runs — `-e-cached` (`--domain --tls local`, the cache on by default), `-e-nocache` (`--domain --tls local --cache off`) and `-e-direct` (no domain: its own port, as today). HTTPS is checked with the local CA (`wpstack edge ca --path`) before every kind of load run (status, title, `X-Cache`); wrk connects to 127.0.0.1 and sends the site's name as SNI and Host (it does not verify certificates). wrk, the edge and the sites share the machine's cores. WordPress pages: %.0f s runs; nginx and static answers: %.0f s; %.0f s warm-up before each; the pages rotate in order per repetition; ratios are pair by pair within a repetition.\n\n",
		e.HTTPPort, e.HTTPSPort, res.Config.DurationS, res.Config.StaticS, res.Config.WarmupS)
	w("| page | c | via | req/s | p50 ms | p95 ms | p99 ms | errors / requests | what |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range e.Load {
		errs := fmt.Sprintf("%d / %d", r.Errors, r.Requests)
		if strings.HasPrefix(r.Page, "notfound") {
			errs = fmt.Sprintf("%d / %d (%d answers not ≥ 400)", r.Errors-r.StatusErrors, r.Requests, r.Requests-r.StatusErrors)
		}
		w("| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", r.Page, r.Concurrency, r.Stack, fmtS(r.RPS, 1), fmtS(r.P50, 1), fmtS(r.P95, 1), fmtS(r.P99, 1), errs, edgePageOf(r.Page).what)
	}
	w("\nOn the 404 rows the answers are the edge's own `404 Not Found` (wrk counts them as status errors): the errors column there counts only connect, read, write and timeout errors, and any answer that was not an error status.\n\n")
	w("| figure | c | value |\n|---|---|---|\n")
	for _, c := range sortedConcs(e.CachedOfStatic) {
		s := e.CachedOfStatic[c]
		w("| cached ÷ static ceiling through the edge | %d | %s |\n", c, pct(&s))
	}
	for _, c := range sortedConcs(e.CachedOfDirectStatic) {
		s := e.CachedOfDirectStatic[c]
		w("| cached ÷ static file direct (Apache alone, no TLS) | %d | %s |\n", c, pct(&s))
	}
	for _, c := range sortedConcs(e.CachedOverDirect) {
		w("| cached ÷ uncached page direct | %d | %s× |\n", c, fmtS(e.CachedOverDirect[c], 1))
	}
	for _, c := range sortedConcs(e.Overhead) {
		s := e.Overhead[c]
		w("| edge overhead on uncached pages (1 − through the edge ÷ direct) | %d | %s |\n", c, pct(&s))
	}
	var modes []string
	for m := range e.HTTPSOfHTTP {
		modes = append(modes, m)
	}
	sort.Strings(modes)
	for _, m := range modes {
		s := e.HTTPSOfHTTP[m]
		w("| HTTPS ÷ HTTP req/s on the edge's 404, %s | 10 | %s |\n", m, pct(&s))
	}
	cd := e.CacheDuringLoad
	w("| X-Cache of the cached site over its load runs (`wpstack cache status`) | | %d HIT, %d MISS, %d BYPASS |\n", cd.Hits, cd.Misses, cd.Bypasses)
	w("\nHTTP through the edge answers only a redirect to HTTPS, so HTTPS is compared with HTTP on the one answer both schemes give alike: the edge's neutral 404 (an unknown `Host`; over HTTPS with a site's name as SNI). *A new connection per request* sends `Connection: close`, so each request pays a TCP (and TLS) handshake; wrk may resume TLS sessions.\n\n")

	p := e.Publish
	w("**Publish to a fresh page**: a post published with XML-RPC `wp.newPost` through the edge (as a phone app does), then anonymous requests for the home page through the cache until one shows the post (the page was a HIT just before): %s s from the start of the call (the call alone: %s s); %d of %d first requests after the call were already fresh (X-Cache %s). The web image's purge plugin drops the page before the call returns.\n\n",
		fmtS(p.FreshS, 3), fmtS(p.CallS, 3), p.FirstFresh, p.Reps, strings.Join(p.XCache, ", "))
	m := e.Memory
	w("**The edge's memory** (`docker stats`, MiB; the cache lives on the edge's tmpfs, counted in it): %.1f idle with the load sites, %s under the cached load at the top concurrency, %.1f with the %d idle sites.\n\n", m.IdleMiB, fmtS(m.LoadMiB, 1), m.IdleNMiB, e.Idle.Sites)

	id := e.Idle
	if id.Failed != "" {
		w("**Not every idle site came up**: %d of %d, then %s.\n\n", id.Made, id.Sites, id.Failed)
	}
	w("**%d idle sites with domains** (`--domain --tls local`, cache on), made one after the other on a fresh edge after the load sites were removed, each timed from `wpstack up` until its home page serves its title over verified HTTPS through the edge; memory after 20 s without requests.\n\n", id.Sites)
	w("| | |\n|---|---|\n")
	if n := len(id.UpS); n > 0 {
		w("| time to add the first site | %.1f s (the edge started with it) |\n", id.UpS[0])
		w("| time to add a site, median [min–max] over all | %s s |\n", fmtS(summarize(id.UpS), 1))
		w("| time to add the last site (number %d) | %.1f s |\n", n, id.UpS[n-1])
	}
	w("| sites serving their own title at the end | %d of %d |\n", id.Serving, max(id.Made, len(id.UpS)))
	w("| the sites' containers (web + db) | %.0f MiB, %.1f MiB per site |\n", id.SitesMiB, id.PerSiteMiB)
	w("| the edge | %.1f MiB |\n", id.EdgeMiB)
	w("| sites + edge | %.0f MiB of the %.0f MiB target |\n", id.TotalMiB, id.BudgetMiB)
	if len(id.UpS) < 100 {
		w("| projected for 100 sites (per site × 100 + the edge) | %.0f MiB |\n", id.ProjectedMiB)
	}
	w("| every running container of the engine (other projects' too) | %.0f MiB |\n", id.EngineMiB)
	w("| host memory used (MemTotal − MemAvailable), before the first site → after the last | %.0f → %.0f MiB (+%.0f; the machine is shared, so other work moves it too) |\n",
		id.HostBeforeMiB, id.HostAfterMiB, id.HostAfterMiB-id.HostBeforeMiB)
	return b.String()
}
