//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
)

// densitySites is more sites with domains than Docker's default address
// pools leave room for: each takes two bridge networks, the pools hold 31.
const densitySites = 35

// TestDensity brings up 35 sites with domains on this engine, one after the
// other, each on its own /27 of wpstack's range: more bridge networks than
// Docker's default pools hold, no two overlapping, each site serving its own
// title over HTTPS through the edge and trusting its edge network's subnet
// alone. Then it destroys them all, and the edge goes with the last.
func TestDensity(t *testing.T) {
	e := newEnv(t)
	requireNoForeignEdge(t, e)
	cleanupEdge(t, e)
	httpPort, httpsPort := freePort(t), freePort(t)
	ports := []string{"--http-port", fmt.Sprint(httpPort), "--https-port", fmt.Sprint(httpsPort)}
	tag := ctRandom()[:6]
	type one struct{ name, domain, title string }
	var sites []one
	for i := 0; i < densitySites; i++ {
		s := one{siteName(fmt.Sprintf("dns%02d", i)), fmt.Sprintf("d%02d-%s.test", i, tag), fmt.Sprintf("Density %02d %s", i, tag)}
		e.cleanupSite(s.name)
		sites = append(sites, s)
	}

	start := time.Now()
	var took []time.Duration
	for _, s := range sites {
		r := e.mustRun(append([]string{"up", s.name, "--domain", s.domain, "--tls", "local", "--title", s.title}, ports...)...)
		took = append(took, r.took)
	}
	total := time.Since(start)
	var sum, worst time.Duration
	for _, d := range took {
		sum += d
		worst = max(worst, d)
	}
	t.Logf("density: %d sites up in %s: %s per site on average, the slowest %s, the first %s, the last %s",
		len(sites), total.Round(time.Second), (sum / time.Duration(len(took))).Round(100*time.Millisecond), worst.Round(100*time.Millisecond),
		took[0].Round(100*time.Millisecond), took[len(took)-1].Round(100*time.Millisecond))

	var mem uint64
	for _, s := range sites {
		for _, svc := range []string{"web", "db"} {
			mem += memoryOf(t, e, s.name+"-"+svc+"-1")
		}
	}
	edgeMem := memoryOf(t, e, edgeContainer)
	t.Logf("density: memory of %d sites %.0f MiB (%.0f MiB per site), the edge %.0f MiB",
		len(sites), float64(mem)/(1<<20), float64(mem)/(1<<20)/float64(len(sites)), float64(edgeMem)/(1<<20))

	t.Run("every network on its own subnet of the range", func(t *testing.T) {
		ctx := context.Background()
		rng := netip.MustParsePrefix("10.213.0.0/16")
		var made []network.Inspect
		for _, s := range sites {
			ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "io.wpstack.site="+s.name))})
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 2 {
				t.Errorf("site %s has %d networks, want 2 (default and edge)", s.name, len(ns))
			}
			made = append(made, ns...)
		}
		home, err := e.cli.NetworkInspect(ctx, "wpstack-edge", network.InspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, home)
		if len(made) <= 31 {
			t.Fatalf("wpstack made %d bridge networks, want more than Docker's default pools hold (31)", len(made))
		}
		t.Logf("wpstack made %d bridge networks for %d sites and the edge", len(made), len(sites))
		var subs []netip.Prefix
		for _, n := range made {
			if n.Driver != "bridge" || len(n.IPAM.Config) != 1 {
				t.Fatalf("network %s: driver %s, IPAM %+v", n.Name, n.Driver, n.IPAM.Config)
			}
			p, err := netip.ParsePrefix(n.IPAM.Config[0].Subnet)
			if err != nil || p.Bits() != 27 || !rng.Contains(p.Addr()) {
				t.Errorf("network %s has subnet %q, want a /27 of %s", n.Name, n.IPAM.Config[0].Subnet, rng)
			}
			for i, q := range subs {
				if q.Overlaps(p) {
					t.Errorf("network %s (%s) overlaps %s (%s)", n.Name, p, made[i].Name, q)
				}
			}
			subs = append(subs, p)
		}
	})

	t.Run("each web container trusts its edge network's subnet only", func(t *testing.T) {
		ctx := context.Background()
		for _, s := range sites {
			n, err := e.cli.NetworkInspect(ctx, s.name+"_edge", network.InspectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.cli.ContainerInspect(ctx, s.name+"-web-1")
			if err != nil {
				t.Fatal(err)
			}
			want := "WPSTACK_TRUSTED_PROXIES=" + n.IPAM.Config[0].Subnet
			found := false
			for _, v := range c.Config.Env {
				if strings.HasPrefix(v, "WPSTACK_TRUSTED_PROXIES=") {
					found = v == want
					if !found {
						t.Errorf("%s: %s, want %s", s.name, v, want)
					}
				}
			}
			if !found {
				t.Errorf("%s: no %s in the web container's environment", s.name, want)
			}
		}
	})

	t.Run("each site serves its own title over verified HTTPS", func(t *testing.T) {
		_, roots := edgeRoots(t, e)
		h := newEdgeHTTP(t, roots, httpPort, httpsPort, false)
		for _, s := range sites {
			resp, body := h.must("GET", h.url("https", s.domain, "/"), nil, nil)
			if resp.StatusCode != 200 || titleOf(body) == "" || !strings.Contains(titleOf(body), s.title) {
				t.Errorf("https://%s/: %s, title %q, want %q", s.domain, resp.Status, titleOf(body), s.title)
			}
		}
	})

	t.Run("destroying them all takes the edge with the last", func(t *testing.T) {
		start := time.Now()
		for i, s := range sites {
			r := e.mustRun("destroy", s.name, "--yes")
			last := i == len(sites)-1
			up, _ := edgeState(t, e)
			if up == last {
				t.Fatalf("after destroying %s (%d of %d), the edge exists: %v", s.name, i+1, len(sites), up)
			}
			if last && !strings.Contains(r.stdout+r.stderr, "removing the edge") {
				t.Errorf("destroying the last site with a domain does not say the edge goes:\n%s", r)
			}
			if got := e.labelled(s.name); len(got) != 0 {
				t.Errorf("destroy %s left %v", s.name, got)
			}
		}
		if _, err := e.cli.NetworkInspect(context.Background(), "wpstack-edge", network.InspectOptions{}); err == nil {
			t.Error("the edge's network is still there after the last site went")
		}
		t.Logf("density: %d sites destroyed in %s", len(sites), time.Since(start).Round(time.Second))
	})
}

// TestSubnetRangeExhausted sets wpstack's range to a /26, room for two /27
// networks: two sites come up, the third is refused before anything is made,
// with an error naming the range, its size and the fix.
func TestSubnetRangeExhausted(t *testing.T) {
	e := newEnv(t)
	const rng = "10.214.77.0/26"
	ctx := context.Background()
	all, err := e.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range all {
		for _, c := range n.IPAM.Config {
			if p, err := netip.ParsePrefix(c.Subnet); err == nil && p.Overlaps(netip.MustParsePrefix(rng)) {
				t.Fatalf("network %s (%s) already holds part of the test's range %s", n.Name, p, rng)
			}
		}
	}
	e.extra = append(e.extra, "WPSTACK_SUBNET_RANGE="+rng)
	a, b, c := siteName("sbna"), siteName("sbnb"), siteName("sbnc")
	for _, n := range []string{a, b, c} {
		e.cleanupSite(n)
	}
	e.mustRun("up", a, "--port", fmt.Sprint(freePort(t)))
	e.mustRun("up", b, "--port", fmt.Sprint(freePort(t)))
	r := e.mustFail([]string{"no free /27 subnet left in wpstack's range " + rng, "it holds 2 networks", "set WPSTACK_SUBNET_RANGE to a larger free range", "remove networks no longer used"},
		"up", c, "--port", fmt.Sprint(freePort(t)))
	t.Logf("the refusal: %s", strings.TrimSpace(r.stderr))
	if got := e.labelled(c); len(got) != 0 {
		t.Errorf("the refused up left %v", got)
	}
	for _, n := range []string{a, b} {
		if st := e.status(n); st.State != "running" {
			t.Errorf("site %s is %q after the refused up, want running", n, st.State)
		}
	}
	// Room again once a site goes.
	e.mustRun("destroy", a, "--yes")
	e.mustRun("up", c, "--port", fmt.Sprint(freePort(t)))
}

// TestSubnetConcurrentUps starts four sites at once in a small range: they
// all list the same free subnets, the engine refuses all but one of each
// pick, and every site still comes up on a subnet of its own.
func TestSubnetConcurrentUps(t *testing.T) {
	e := newEnv(t)
	const rng = "10.214.78.0/24"
	e.extra = append(e.extra, "WPSTACK_SUBNET_RANGE="+rng)
	var names []string
	for i := 0; i < 4; i++ {
		n := siteName(fmt.Sprintf("sbc%d", i))
		e.cleanupSite(n)
		names = append(names, n)
	}
	results := make([]result, len(names))
	ports := make([]int, len(names))
	for i := range ports {
		ports[i] = freePort(t)
	}
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.run("up", n, "--port", fmt.Sprint(ports[i]))
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	for i, n := range names {
		if results[i].code != 0 {
			t.Errorf("concurrent up %s failed: %s", n, results[i])
			continue
		}
		nw, err := e.cli.NetworkInspect(context.Background(), n+"_default", network.InspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sub := nw.IPAM.Config[0].Subnet
		if p, err := netip.ParsePrefix(sub); err != nil || !netip.MustParsePrefix(rng).Contains(p.Addr()) {
			t.Errorf("%s is on %q, outside %s", n, sub, rng)
		}
		if other, ok := seen[sub]; ok {
			t.Errorf("%s and %s share %s", n, other, sub)
		}
		seen[sub] = n
	}
	t.Logf("subnets: %v", seen)
}

// memoryOf is a container's memory use as `docker stats` shows it: usage
// less the page cache the kernel can drop.
func memoryOf(t *testing.T, e *env, name string) uint64 {
	t.Helper()
	r, err := e.cli.ContainerStatsOneShot(context.Background(), name)
	if err != nil {
		t.Fatalf("stats of %s: %v", name, err)
	}
	defer r.Body.Close()
	var st container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
		t.Fatalf("stats of %s: %v", name, err)
	}
	m := st.MemoryStats
	for _, k := range []string{"inactive_file", "total_inactive_file"} {
		if v, ok := m.Stats[k]; ok && v < m.Usage {
			return m.Usage - v
		}
	}
	return m.Usage
}
