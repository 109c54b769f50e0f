package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrk is the load generator: Debian's package, driven with a Lua summary
// hook so p95 (which `wrk --latency` does not print) comes out as JSON.
const wrkScript = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WPBENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"bytes":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
end
`

// LoadResult is one wrk run.
type LoadResult struct {
	RPS    float64 `json:"rps"`
	P50ms  float64 `json:"p50_ms"`
	P95ms  float64 `json:"p95_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	Reqs   int64   `json:"requests"`
	Errors int64   `json:"errors"` // connect, read, write, timeout and non-2xx/3xx
	// StatusErrors are the answers ≥ 400 among Errors (the edge's 404 runs expect only those).
	StatusErrors int64 `json:"status_errors,omitempty"`
	Bytes        int64 `json:"bytes"`
}

// ensureWrk installs Debian's wrk when missing, as scripts/setup.sh does
// for its tools: nothing happens when it is there.
func ensureWrk(ctx context.Context) (string, error) {
	if p, err := exec.LookPath("wrk"); err == nil {
		return p, nil
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("wrk is not installed and installing it needs root: run `sudo apt-get install wrk`")
	}
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "--no-install-recommends", "wrk"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return exec.LookPath("wrk")
}

// wrkLocal makes wrk connect to 127.0.0.1 whatever the URL's host: the
// edge's sites are reached by name (wrk sends it as SNI and Host) without
// a DNS entry or an /etc/hosts line for them.
const wrkLocal = `
local lookup = wrk.lookup
wrk.resolve = function(host, service)
  wrk.addrs = lookup("127.0.0.1", service)
end
`

type loadGen struct {
	bin    string
	script string
	local  string // wrkScript with wrkLocal
}

func newLoadGen(ctx context.Context, dir string) (*loadGen, error) {
	bin, err := ensureWrk(ctx)
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "wpbench.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
		return nil, fmt.Errorf("write wrk script: %w", err)
	}
	local := filepath.Join(dir, "wpbench-local.lua")
	if err := os.WriteFile(local, []byte(wrkScript+wrkLocal), 0o644); err != nil {
		return nil, fmt.Errorf("write wrk script: %w", err)
	}
	return &loadGen{bin: bin, script: script, local: local}, nil
}

// run loads url with c connections (and as many threads as cores allow)
// for d. headers are "Name: value" lines.
func (g *loadGen) run(ctx context.Context, url string, c int, d time.Duration, headers ...string) (LoadResult, error) {
	return g.runScript(ctx, g.script, url, c, d, headers...)
}

// runLocal is run with the connections made to 127.0.0.1, whatever host
// url names (which wrk still sends as SNI and Host).
func (g *loadGen) runLocal(ctx context.Context, url string, c int, d time.Duration, headers ...string) (LoadResult, error) {
	return g.runScript(ctx, g.local, url, c, d, headers...)
}

func (g *loadGen) runScript(ctx context.Context, script, url string, c int, d time.Duration, headers ...string) (LoadResult, error) {
	threads := min(c, 2)
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(c), "-d", fmt.Sprintf("%ds", int(d.Seconds())),
		"--timeout", "10s", "-s", script}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	out, err := exec.CommandContext(ctx, g.bin, args...).CombinedOutput()
	if err != nil {
		return LoadResult{}, fmt.Errorf("wrk %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return LoadResult{}, fmt.Errorf("wrk on %s: %w", url, err)
	}
	return r, nil
}

func parseWrk(out string) (LoadResult, error) {
	_, js, ok := strings.Cut(out, "WPBENCH ")
	if !ok {
		return LoadResult{}, fmt.Errorf("no summary line in wrk output:\n%s", out)
	}
	js, _, _ = strings.Cut(js, "\n")
	var s struct {
		Requests, DurationUS, P50, P95, P99, Max, Bytes int64
		EC, ER, EW, ES, ET                              int64
	}
	var raw map[string]int64
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		return LoadResult{}, fmt.Errorf("parse wrk summary %q: %w", js, err)
	}
	s.Requests, s.DurationUS = raw["requests"], raw["duration_us"]
	s.P50, s.P95, s.P99, s.Max, s.Bytes = raw["p50_us"], raw["p95_us"], raw["p99_us"], raw["max_us"], raw["bytes"]
	errs := raw["err_connect"] + raw["err_read"] + raw["err_write"] + raw["err_status"] + raw["err_timeout"]
	if s.DurationUS <= 0 {
		return LoadResult{}, fmt.Errorf("wrk summary has no duration: %q", js)
	}
	return LoadResult{
		RPS:          float64(s.Requests) / (float64(s.DurationUS) / 1e6),
		P50ms:        float64(s.P50) / 1000,
		P95ms:        float64(s.P95) / 1000,
		P99ms:        float64(s.P99) / 1000,
		MaxMs:        float64(s.Max) / 1000,
		Reqs:         s.Requests,
		Errors:       errs,
		StatusErrors: raw["err_status"],
		Bytes:        s.Bytes,
	}, nil
}
