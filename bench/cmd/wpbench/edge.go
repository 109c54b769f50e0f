package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EdgeResults is issue 12's bench: the edge's full-page cache against the
// static ceiling and the uncached page, the edge's overhead, HTTPS against
// HTTP, publish to a fresh page, the edge's memory, and N idle sites.
type EdgeResults struct {
	HTTPPort  int `json:"http_port"`
	HTTPSPort int `json:"https_port"`
	// Load: one row per page variant and concurrency (Stack is "edge" or
	// "direct"); see edgePages for what each page is.
	Load []LoadRow `json:"load"`
	// X-Cache answers of the cached site over its load runs (warm-ups
	// included), from `wpstack cache status`.
	CacheDuringLoad CacheCounts `json:"cache_during_load"`
	// Pair-by-pair figures of the targets, per concurrency.
	CachedOfStatic       map[int]Summary    `json:"cached_of_static"`        // cached ÷ static through the edge
	CachedOfDirectStatic map[int]Summary    `json:"cached_of_direct_static"` // cached ÷ static direct (Apache alone)
	CachedOverDirect     map[int]Summary    `json:"cached_over_uncached"`    // cached ÷ uncached direct
	Overhead             map[int]Summary    `json:"uncached_overhead"`       // 1 − uncached through the edge ÷ uncached direct
	HTTPSOfHTTP          map[string]Summary `json:"https_of_http"`           // per connection mode: HTTPS ÷ HTTP on the edge's 404
	Publish              PublishResult      `json:"publish"`
	Memory               EdgeMemory         `json:"memory"`
	Idle                 IdleSites          `json:"idle"`
}

// CacheCounts is `wpstack cache status --json`'s counts.
type CacheCounts struct {
	Hits     int `json:"hits"`
	Misses   int `json:"misses"`
	Bypasses int `json:"bypasses"`
}

// PublishResult: a post published over XML-RPC through the edge, then the
// home page asked for anonymously through the cache until it shows.
type PublishResult struct {
	Reps int `json:"repetitions"`
	// FreshS: from the start of the XML-RPC call to the first anonymous
	// answer with the new post. CallS: the call alone.
	FreshS Summary `json:"fresh_s"`
	CallS  Summary `json:"call_s"`
	// FirstFresh counts repetitions whose first request after the call
	// already had the post; XCache is that answer's X-Cache.
	FirstFresh int      `json:"first_request_fresh"`
	XCache     []string `json:"x_cache"`
}

// EdgeMemory is the edge container's memory, MiB (docker stats).
type EdgeMemory struct {
	IdleMiB  float64 `json:"idle_mib"`            // with the load sites, before the load runs
	LoadMiB  Summary `json:"under_load_mib"`      // halfway through the cached runs at the top concurrency
	IdleNMiB float64 `json:"with_idle_sites_mib"` // with the N idle sites
}

// IdleSites: N sites with domains made one after the other and left idle.
type IdleSites struct {
	Sites int `json:"sites"` // asked for
	Made  int `json:"made"`  // up and measured
	// Failed: the site that did not come up, and why ("" when all did).
	Failed string `json:"failed,omitempty"`
	// UpS: each site's `wpstack up` until its home page serves through the
	// edge over HTTPS (verified with the local CA), in order.
	UpS     []float64 `json:"up_s"`
	Serving int       `json:"serving"` // sites serving their own title at the end
	// Memory after 20 s idle: the sites' containers, the edge, both; every
	// running container of the engine (other projects included); the
	// host's used memory (MemTotal − MemAvailable) before the first and
	// after the last site.
	SitesMiB       float64 `json:"sites_mib"`
	PerSiteMiB     float64 `json:"per_site_mib"`
	EdgeMiB        float64 `json:"edge_mib"`
	TotalMiB       float64 `json:"total_mib"`
	EngineMiB      float64 `json:"engine_containers_mib"`
	HostBeforeMiB  float64 `json:"host_used_before_mib"`
	HostAfterMiB   float64 `json:"host_used_after_mib"`
	BudgetMiB      float64 `json:"budget_mib"`
	ProjectedMiB   float64 `json:"projected_100_mib"` // PerSiteMiB × 100 + EdgeMiB
	ContainerCount int     `json:"containers"`
}

// edgePage is one thing the load runs ask for.
type edgePage struct {
	key, what string
	wp        bool // a WordPress page (the long run), else nginx or Apache alone
}

// The pages, in the report's order.
var edgePages = []edgePage{
	{"cached", "home page from the edge's cache, HTTPS", false},
	{"static-edge", "the home page's bytes as a static file, through the edge (HTTPS, site with --cache off): the ceiling", false},
	{"static-direct", "the same static file, direct (the site's own port, Apache alone)", false},
	{"uncached-edge", "home page through the edge, HTTPS, site with --cache off (PHP every time)", true},
	{"uncached-direct", "home page direct, the site's own port (today's uncached page)", true},
	{"notfound-http", "the edge's own 404 (unknown Host), HTTP, keep-alive", false},
	{"notfound-https", "the edge's own 404 (a site's SNI, unknown Host), HTTPS, keep-alive", false},
	{"notfound-http-new", "the same 404, HTTP, a new connection per request", false},
	{"notfound-https-new", "the same 404, HTTPS, a new TCP and TLS connection per request", false},
	{"cached-new", "cached home page, HTTPS, a new TCP and TLS connection per request", false},
}

// edgeRun is what the edge scenario shares.
type edgeRun struct {
	b                   *bench
	w                   *wpstackStack
	httpPort, httpsPort int
	client              *http.Client // trusts the local CA, dials 127.0.0.1
	made                []string
}

type edgeSite struct{ name, domain, title string }

// edgeLock waits for the engine's edge lock: one edge per engine, and
// everything that starts one (the e2e suite too) holds it.
func edgeLock(path string, lg interface{ Printf(string, ...any) }) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open the edge lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lg.Printf("edge: waiting for %s (another run holds the engine's edge)", path)
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("take the edge lock %s: %w", path, err)
		}
	}
	return func() { f.Close() }, nil
}

// edge runs issue 12's scenarios on this engine, under the edge lock.
// measured, when set, runs once everything is measured and before the
// sites are removed (a hundred of them take minutes).
func (b *bench) edge(ctx context.Context, w *wpstackStack, f flags, measured func() error) error {
	unlock, err := edgeLock(f.edgeLock, b.log)
	if err != nil {
		return err
	}
	defer unlock()
	if out, err := docker(ctx, "ps", "-aq", "--filter", "name=^wpstack-edge$"); err == nil && out != "" {
		return errors.New("an edge (container wpstack-edge) already runs on this engine: the edge scenario starts its own; stop the sites with domains that use it, or run with -no-edge")
	}
	e := &edgeRun{b: b, w: w}
	if e.httpPort, err = freePort(); err != nil {
		return err
	}
	if e.httpsPort, err = freePort(); err != nil {
		return err
	}
	res := &EdgeResults{HTTPPort: e.httpPort, HTTPSPort: e.httpsPort}
	b.res.Edge = res
	defer func() {
		if f.keep {
			b.log.Printf("edge: -keep: leaving %d sites and the edge up", len(e.made))
			return
		}
		e.destroy(context.WithoutCancel(ctx), e.made)
	}()
	if err := e.load(ctx, f, res); err != nil {
		return err
	}
	if err := e.idle(ctx, f, res); err != nil {
		return err
	}
	if measured != nil {
		return measured()
	}
	return nil
}

func (e *edgeRun) destroy(ctx context.Context, names []string) {
	for _, n := range names {
		if err := e.w.destroy(ctx, n); err != nil {
			e.b.log.Printf("cleanup: %v", err)
		}
	}
	e.made = without(e.made, names)
}

// up starts a site behind the edge and waits until its home page serves
// its title over HTTPS, verified with the local CA.
func (e *edgeRun) up(ctx context.Context, s edgeSite, extra ...string) (time.Duration, error) {
	e.made = append(e.made, s.name)
	start := time.Now()
	args := append([]string{"--domain", s.domain, "--tls", "local", "--http-port", fmt.Sprint(e.httpPort), "--https-port", fmt.Sprint(e.httpsPort)}, extra...)
	if err := e.w.createWith(ctx, s.name, s.title, args...); err != nil {
		return 0, fmt.Errorf("edge: create site %s: %w", s.name, err)
	}
	if e.client == nil {
		c, err := e.newClient(ctx)
		if err != nil {
			return 0, err
		}
		e.client = c
	}
	if err := poll(ctx, time.Minute, "home page of "+s.name+" through the edge", func() bool {
		return homeServes(ctx, e.client, e.url("https", s.domain, "/"), s.title)
	}); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// newClient trusts the local CA (`wpstack edge ca --path`) and connects to
// the edge on 127.0.0.1 whatever name a URL has: Host and SNI stay the name.
func (e *edgeRun) newClient(ctx context.Context) (*http.Client, error) {
	out, err := e.w.run(ctx, "edge", "ca", "--path")
	if err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, fmt.Errorf("the edge's local CA: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the edge's local CA %s holds no certificate", strings.TrimSpace(string(out)))
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	return &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

func (e *edgeRun) url(scheme, host, path string) string {
	port := e.httpsPort
	if scheme == "http" {
		port = e.httpPort
	}
	return fmt.Sprintf("%s://%s:%d%s", scheme, host, port, path)
}

// fetch is one request through the edge's client; host, when set, is the
// Host header (the URL's name stays the SNI).
func (e *edgeRun) fetch(ctx context.Context, method, u, host string, body io.Reader, header map[string]string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, "", err
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// expect checks an answer before a load run counts it.
func (e *edgeRun) expect(ctx context.Context, u, host string, code int, xcache, contains string) error {
	resp, body, err := e.fetch(ctx, http.MethodGet, u, host, nil, nil)
	if err != nil {
		return fmt.Errorf("edge: GET %s: %w", u, err)
	}
	if resp.StatusCode != code || (xcache != "" && resp.Header.Get("X-Cache") != xcache) || !strings.Contains(body, contains) {
		return fmt.Errorf("edge: GET %s (Host %q): %d X-Cache %q, want %d X-Cache %q with %q in the body", u, host, resp.StatusCode, resp.Header.Get("X-Cache"), code, xcache, contains)
	}
	return nil
}

// edgeConcurrency: the c=10 and c=50 (c=10 alone in a quick run).
func edgeConcurrency(quick bool) []int {
	if quick {
		return []int{10}
	}
	return []int{10, 50}
}

type edgeTarget struct {
	page    string
	stack   string // edge or direct
	url     string
	local   bool // connect to 127.0.0.1 whatever the name
	headers []string
	concs   []int
}

// load measures the pages of edgePages and the publish.
func (e *edgeRun) load(ctx context.Context, f flags, res *EdgeResults) error {
	b := e.b
	tag := fmt.Sprintf("%d", time.Now().Unix()%1000000)
	p := b.prefix
	cached := edgeSite{p + "-e-cached", p + "-e-cached-" + tag + ".test", "Bench " + p + "-e-cached"}
	nocache := edgeSite{p + "-e-nocache", p + "-e-nocache-" + tag + ".test", "Bench " + p + "-e-nocache"}
	// XML-RPC calls count as login POSTs: the publish makes a few.
	if _, err := e.up(ctx, cached, "--login-rate", "600/m"); err != nil {
		return err
	}
	if _, err := e.up(ctx, nocache, "--cache", "off"); err != nil {
		return err
	}
	direct, _, err := b.newSite(ctx, e.w, p+"-e-direct")
	if err != nil {
		return err
	}
	e.made = append(e.made, direct.name)
	b.made[e.w] = without(b.made[e.w], []string{direct.name})

	// The static ceiling: the home page's bytes as a file in the webroot,
	// served by the same Apache, through the edge (cache off, so Apache
	// serves it every time) and direct.
	_, body, err := e.fetch(ctx, http.MethodGet, e.url("https", nocache.domain, "/"), "", nil, nil)
	if err != nil {
		return fmt.Errorf("edge: read the home page of %s: %w", nocache.name, err)
	}
	if _, err := dockerIn(ctx, []byte(body), "exec", "-i", "-u", "www-data", e.w.web(nocache.name), "sh", "-c", "cat > /var/www/html/wpbench-static.html"); err != nil {
		return err
	}
	if err := b.staticCopy(ctx, e.w, direct); err != nil {
		return err
	}

	// Every answer is what it should be before wrk counts it.
	home, static := e.url("https", cached.domain, "/"), e.url("https", nocache.domain, "/wpbench-static.html")
	for _, c := range []struct {
		u, host   string
		code      int
		xc, title string
	}{
		{home, "", 200, "", "<title>" + html.EscapeString(cached.title)}, // fills the cache
		{home, "", 200, "HIT", "<title>" + html.EscapeString(cached.title)},
		{e.url("https", nocache.domain, "/"), "", 200, "BYPASS", "<title>" + html.EscapeString(nocache.title)},
		{static, "", 200, "BYPASS", "<title>" + html.EscapeString(nocache.title)},
		{e.url("http", cached.domain, "/"), "unknown.invalid", 404, "", "Not Found"},
		{e.url("https", cached.domain, "/"), "unknown.invalid", 404, "", "Not Found"},
	} {
		if err := e.expect(ctx, c.u, c.host, c.code, c.xc, c.title); err != nil {
			return err
		}
	}
	concs := edgeConcurrency(f.quick)
	newConn := "Connection: close"
	unknown := "Host: unknown.invalid"
	targets := []edgeTarget{
		{"cached", "edge", home, true, nil, concs},
		{"static-edge", "edge", static, true, nil, concs},
		{"static-direct", "direct", direct.url() + "wpbench-static.html", false, nil, concs},
		{"uncached-edge", "edge", e.url("https", nocache.domain, "/"), true, nil, concs},
		{"uncached-direct", "direct", direct.url(), false, nil, concs},
		{"notfound-http", "edge", e.url("http", cached.domain, "/"), true, []string{unknown}, []int{10}},
		{"notfound-https", "edge", e.url("https", cached.domain, "/"), true, []string{unknown}, []int{10}},
		{"notfound-http-new", "edge", e.url("http", cached.domain, "/"), true, []string{unknown, newConn}, []int{10}},
		{"notfound-https-new", "edge", e.url("https", cached.domain, "/"), true, []string{unknown, newConn}, []int{10}},
		{"cached-new", "edge", home, true, []string{newConn}, []int{10}},
	}
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	if img, err := containerImage(ctx, edgeContainer); err == nil {
		b.res.Versions.EdgeImage = img
	}
	for role, c := range e.w.containers(cached.name) {
		if img, err := containerImage(ctx, c); err == nil && role == "web" && b.res.Versions.WebImage == "" {
			b.res.Versions.WebImage = img
		} else if err == nil && role == "db" && b.res.Versions.DBImage == "" {
			b.res.Versions.DBImage = img
		}
	}
	if m, err := memoryMiB(ctx, []string{edgeContainer}); err == nil {
		res.Memory.IdleMiB = m[edgeContainer]
	} else {
		return err
	}
	before, err := e.cacheCounts(ctx, cached.name)
	if err != nil {
		return err
	}
	raw := map[loadKey][]LoadResult{}
	var loadMem []float64
	var mu sync.Mutex
	top := concs[len(concs)-1]
	for rep := 0; rep < b.cfg.Reps; rep++ {
		for _, c := range []int{10, 50} {
			var these []edgeTarget
			for _, t := range targets {
				for _, tc := range t.concs {
					if tc == c {
						these = append(these, t)
					}
				}
			}
			// Rotate the order per repetition, as the other load runs do.
			for i := range these {
				t := these[(rep+i)%len(these)]
				d := time.Duration(b.cfg.StaticS * float64(time.Second))
				if edgePageOf(t.page).wp {
					d = time.Duration(b.cfg.DurationS * float64(time.Second))
				}
				run := b.gen.run
				if t.local {
					run = b.gen.runLocal
				}
				if b.cfg.WarmupS > 0 {
					if _, err := run(ctx, t.url, c, time.Duration(b.cfg.WarmupS*float64(time.Second)), t.headers...); err != nil {
						return err
					}
				}
				var wg sync.WaitGroup
				if t.page == "cached" && c == top {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if sleep(ctx, d/2) != nil {
							return
						}
						if m, err := memoryMiB(ctx, []string{edgeContainer}); err == nil {
							mu.Lock()
							loadMem = append(loadMem, m[edgeContainer])
							mu.Unlock()
						} else {
							b.log.Printf("edge memory under load: %v", err)
						}
					}()
				}
				r, err := run(ctx, t.url, c, d, t.headers...)
				wg.Wait()
				if err != nil {
					return err
				}
				k := loadKey{t.page, c, t.stack}
				raw[k] = append(raw[k], r)
				b.log.Printf("edge %s c=%d rep %d: %.1f req/s p50 %.1fms p99 %.1fms errors %d (status ≥ 400: %d)", t.page, c, rep+1, r.RPS, r.P50ms, r.P99ms, r.Errors, r.StatusErrors)
			}
		}
	}
	after, err := e.cacheCounts(ctx, cached.name)
	if err != nil {
		return err
	}
	res.CacheDuringLoad = CacheCounts{after.Hits - before.Hits, after.Misses - before.Misses, after.Bypasses - before.Bypasses}
	res.Memory.LoadMiB = summarize(loadMem)
	for _, t := range targets {
		for _, c := range t.concs {
			res.Load = append(res.Load, edgeRow(raw, t.page, c, t.stack))
		}
	}
	edgeFigures(res)

	if err := e.publish(ctx, cached, res); err != nil {
		return err
	}
	// The idle sites start on an edge of their own.
	e.destroy(ctx, []string{cached.name, nocache.name, direct.name})
	return nil
}

const edgeContainer = "wpstack-edge"

func edgePageOf(key string) edgePage {
	for _, p := range edgePages {
		if p.key == key {
			return p
		}
	}
	return edgePage{key: key}
}

func edgeRow(raw map[loadKey][]LoadResult, page string, c int, stack string) LoadRow {
	rs := raw[loadKey{page, c, stack}]
	row := LoadRow{Page: page, Concurrency: c, Stack: stack}
	var rps, p50, p95, p99 []float64
	for _, r := range rs {
		rps, p50, p95, p99 = append(rps, r.RPS), append(p50, r.P50ms), append(p95, r.P95ms), append(p99, r.P99ms)
		row.Errors += r.Errors
		row.StatusErrors += r.StatusErrors
		row.Requests += r.Reqs
	}
	row.RPS, row.P50, row.P95, row.P99 = summarize(rps), summarize(p50), summarize(p95), summarize(p99)
	return row
}

// edgeFigures computes the targets' figures from the load rows, pair by
// pair: repetition i of one page against repetition i of the other,
// measured in the same round.
func edgeFigures(res *EdgeResults) {
	get := func(page string, c int) []float64 {
		for _, r := range res.Load {
			if r.Page == page && r.Concurrency == c {
				return r.RPS.Values
			}
		}
		return nil
	}
	res.CachedOfStatic, res.CachedOfDirectStatic, res.CachedOverDirect, res.Overhead = map[int]Summary{}, map[int]Summary{}, map[int]Summary{}, map[int]Summary{}
	for _, r := range res.Load {
		if r.Page != "cached" {
			continue
		}
		c, cached := r.Concurrency, r.RPS.Values
		res.CachedOfStatic[c] = summarize(ratios(cached, get("static-edge", c)))
		res.CachedOfDirectStatic[c] = summarize(ratios(cached, get("static-direct", c)))
		res.CachedOverDirect[c] = summarize(ratios(cached, get("uncached-direct", c)))
		var over []float64
		for _, x := range ratios(get("uncached-edge", c), get("uncached-direct", c)) {
			over = append(over, 1-x)
		}
		res.Overhead[c] = summarize(over)
	}
	res.HTTPSOfHTTP = map[string]Summary{
		"keep-alive":                 summarize(ratios(get("notfound-https", 10), get("notfound-http", 10))),
		"new connection per request": summarize(ratios(get("notfound-https-new", 10), get("notfound-http-new", 10))),
	}
}

func (e *edgeRun) cacheCounts(ctx context.Context, name string) (CacheCounts, error) {
	out, err := e.w.run(ctx, "cache", "status", name, "--json")
	if err != nil {
		return CacheCounts{}, err
	}
	var c CacheCounts
	if err := json.Unmarshal(out, &c); err != nil {
		return c, fmt.Errorf("read `wpstack cache status %s --json`: %w", name, err)
	}
	return c, nil
}

var postID = regexp.MustCompile(`<string>(\d+)</string>`)

// publish times a post published over XML-RPC (through the edge, as a
// phone app does) until the home page shows it to an anonymous visitor
// through the cache.
func (e *edgeRun) publish(ctx context.Context, s edgeSite, res *EdgeResults) error {
	reps := e.b.cfg.Reps
	home := e.url("https", s.domain, "/")
	var fresh, call []float64
	for rep := 0; rep < reps; rep++ {
		// The page is in the cache before the post goes out.
		for i := 0; i < 2; i++ {
			if _, _, err := e.fetch(ctx, http.MethodGet, home, "", nil, nil); err != nil {
				return fmt.Errorf("edge: GET %s: %w", home, err)
			}
		}
		if err := e.expect(ctx, home, "", 200, "HIT", "<title>"); err != nil {
			return err
		}
		title := fmt.Sprintf("Fresh %d %d", rep, time.Now().UnixNano()%1000000)
		rpc := `<?xml version="1.0"?><methodCall><methodName>wp.newPost</methodName><params><param><value><int>1</int></value></param>` +
			`<param><value>` + adminUser + `</value></param><param><value>` + html.EscapeString(e.w.adminPassword(s.name)) + `</value></param>` +
			`<param><value><struct><member><name>post_title</name><value>` + title + `</value></member>` +
			`<member><name>post_content</name><value>Published by the bench.</value></member>` +
			`<member><name>post_status</name><value>publish</value></member></struct></value></param></params></methodCall>`
		start := time.Now()
		resp, body, err := e.fetch(ctx, http.MethodPost, e.url("https", s.domain, "/xmlrpc.php"), "", strings.NewReader(rpc), map[string]string{"Content-Type": "text/xml"})
		if err != nil {
			return fmt.Errorf("edge: XML-RPC wp.newPost on %s: %w", s.name, err)
		}
		if resp.StatusCode != 200 || strings.Contains(body, "<fault>") || postID.FindStringSubmatch(body) == nil {
			return fmt.Errorf("edge: XML-RPC wp.newPost on %s: %s %.300s", s.name, resp.Status, body)
		}
		call = append(call, time.Since(start).Seconds())
		first := true
		deadline := time.Now().Add(2 * time.Minute)
		for {
			resp, page, err := e.fetch(ctx, http.MethodGet, home, "", nil, nil)
			if err == nil && resp.StatusCode == 200 && strings.Contains(page, title) {
				fresh = append(fresh, time.Since(start).Seconds())
				if first {
					res.Publish.FirstFresh++
				}
				res.Publish.XCache = append(res.Publish.XCache, resp.Header.Get("X-Cache"))
				break
			}
			first = false
			if time.Now().After(deadline) {
				return fmt.Errorf("edge: the post %q published on %s is not on the home page after 2 min", title, s.name)
			}
			if err := sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
		}
		e.b.log.Printf("edge: publish to a fresh home page %.3fs (XML-RPC call %.3fs)", fresh[len(fresh)-1], call[len(call)-1])
	}
	res.Publish.Reps, res.Publish.FreshS, res.Publish.CallS = reps, summarize(fresh), summarize(call)
	return nil
}

// idle makes N sites with domains one after the other, leaves them idle,
// and measures their memory and the time to add each.
func (e *edgeRun) idle(ctx context.Context, f flags, res *EdgeResults) error {
	b := e.b
	n := f.edgeSites
	id := &res.Idle
	id.Sites, id.BudgetMiB = n, f.edgeBudgetMiB
	id.HostBeforeMiB = hostUsedMiB()
	tag := fmt.Sprintf("%d", time.Now().Unix()%1000000)
	var sites []edgeSite
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s-e-idle-%03d", b.prefix, i)
		s := edgeSite{name, name + "-" + tag + ".test", "Bench " + name}
		d, err := e.up(ctx, s)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// A site that does not come up is a finding of its own:
			// the ones before it are measured.
			id.Failed = fmt.Sprintf("site %d of %d: %v", i, n, err)
			b.log.Printf("edge: %s", id.Failed)
			break
		}
		sites = append(sites, s)
		id.UpS = append(id.UpS, d.Seconds())
		b.log.Printf("edge: idle site %d of %d serving in %.1fs", i, n, d.Seconds())
	}
	if len(sites) == 0 {
		return fmt.Errorf("edge: no idle site came up: %s", id.Failed)
	}
	id.Made = len(sites)
	b.log.Printf("edge: letting %d idle sites settle for 20 s", len(sites))
	if err := sleep(ctx, 20*time.Second); err != nil {
		return err
	}
	names := []string{edgeContainer}
	for _, s := range sites {
		for _, c := range e.w.containers(s.name) {
			names = append(names, c)
		}
	}
	m, err := memoryMiB(ctx, names)
	if err != nil {
		return err
	}
	for _, c := range names {
		v, ok := m[c]
		if !ok {
			return fmt.Errorf("edge: docker stats did not list %s", c)
		}
		if c == edgeContainer {
			id.EdgeMiB = v
		} else {
			id.SitesMiB += v
		}
	}
	id.ContainerCount = len(names)
	id.PerSiteMiB = id.SitesMiB / float64(len(sites))
	id.TotalMiB = id.SitesMiB + id.EdgeMiB
	id.ProjectedMiB = id.PerSiteMiB*100 + id.EdgeMiB
	res.Memory.IdleNMiB = id.EdgeMiB
	id.HostAfterMiB = hostUsedMiB()
	if all, err := docker(ctx, "ps", "-q"); err == nil && all != "" {
		if m, err := memoryMiB(ctx, strings.Fields(all)); err == nil {
			for _, v := range m {
				id.EngineMiB += v
			}
		}
	}
	for _, s := range sites {
		if homeServes(ctx, e.client, e.url("https", s.domain, "/"), s.title) {
			id.Serving++
		}
	}
	b.log.Printf("edge: %d idle sites: %.0f MiB (%.1f per site), the edge %.0f MiB; %d serving; the last up in %.1fs",
		len(sites), id.SitesMiB, id.PerSiteMiB, id.EdgeMiB, id.Serving, id.UpS[len(id.UpS)-1])
	return nil
}

// hostUsedMiB is MemTotal − MemAvailable, as free(1) counts used memory.
func hostUsedMiB() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var total, avail float64
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "MemTotal:":
			total = v
		case "MemAvailable:":
			avail = v
		}
	}
	return (total - avail) / 1024
}
