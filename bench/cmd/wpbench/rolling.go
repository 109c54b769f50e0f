package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// RollingRow is one kind of swarm change (update or rollback) made while
// wrk loads the site's home page at constant concurrency.
type RollingRow struct {
	Change      string  `json:"change"` // update, rollback
	Replicas    int     `json:"replicas"`
	Concurrency int     `json:"concurrency"`
	DurationS   Summary `json:"duration_s"` // the wpstack command, wall time
	Requests    int64   `json:"requests"`   // during the whole load windows
	Failed      int64   `json:"failed"`     // connect, read, write, timeout and non-2xx/3xx
	RPS         Summary `json:"rps"`
	P99         Summary `json:"p99_ms"`
	MaxMs       Summary `json:"max_ms"`
}

// rolling measures `wpstack update` and `wpstack rollback` of a 2-replica
// site on a one-node swarm made on this engine for the purpose (and left
// again at the end), with wrk running through the whole change. It returns
// a reason instead when it cannot run (the engine is already in a swarm).
func (b *bench) rolling(ctx context.Context, w *wpstackStack, reps int, window time.Duration) (string, error) {
	state, err := docker(ctx, "info", "--format", "{{.Swarm.LocalNodeState}}")
	if err != nil {
		return "", err
	}
	if state != "inactive" {
		return "rolling update under load: this engine is already part of a swarm (" + state + "); the bench only makes a one-node swarm of its own", nil
	}
	if _, err := docker(ctx, "swarm", "init", "--advertise-addr", advertiseAddr()); err != nil {
		return "", err
	}
	defer func() {
		if _, err := docker(context.WithoutCancel(ctx), "swarm", "leave", "--force"); err != nil {
			b.log.Printf("cleanup: %v", err)
		}
		// Swarm mode made it; leaving does not remove it.
		_, _ = docker(context.WithoutCancel(ctx), "network", "rm", "docker_gwbridge")
	}()
	port, err := freePort()
	if err != nil {
		return "", err
	}
	name := "bench-s"
	title := "Bench " + name
	b.log.Printf("swarm: deploying %s with 2 web replicas on a one-node swarm", name)
	if _, err := w.run(ctx, "up", name, "--target", "swarm", "--replicas", "2", "--port", fmt.Sprint(port),
		"--title", title, "--wordpress-source", "debian"); err != nil {
		return "", err
	}
	defer func() {
		if err := w.destroy(context.WithoutCancel(ctx), name); err != nil {
			b.log.Printf("cleanup: %v", err)
		}
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := poll(ctx, time.Minute, "home page of "+name, func() bool { return homeServes(ctx, newClient(), url, title) }); err != nil {
		return "", err
	}
	// The next release: the running web image with one more label, so the
	// update replaces every task and nothing else changes.
	img, err := docker(ctx, "service", "inspect", name+"_web", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")
	if err != nil {
		return "", err
	}
	img, _, _ = strings.Cut(img, "@")
	next := "wpt-e-next:" + name
	if _, err := dockerIn(ctx, []byte("FROM "+img+"\nLABEL io.wpstack.bench.release=next\n"), "build", "-q", "-t", next, "-"); err != nil {
		return "", err
	}
	defer func() { _, _ = docker(context.WithoutCancel(ctx), "rmi", "-f", next) }()

	const conc = 10
	raw := map[string][]LoadResult{}
	took := map[string][]float64{}
	for rep := 0; rep < reps; rep++ {
		for _, change := range []string{"update", "rollback"} {
			args := []string{"rollback", name}
			if change == "update" {
				args = []string{"update", name, "--web-image", next}
			}
			type out struct {
				r   LoadResult
				err error
			}
			done := make(chan out, 1)
			go func() {
				r, err := b.gen.run(ctx, url, conc, window)
				done <- out{r, err}
			}()
			// The change starts once the load runs, and must end inside it.
			if err := sleep(ctx, 3*time.Second); err != nil {
				return "", err
			}
			start := time.Now()
			_, cerr := w.run(ctx, args...)
			d := time.Since(start)
			o := <-done
			if cerr != nil {
				return "", cerr
			}
			if o.err != nil {
				return "", o.err
			}
			if d+3*time.Second > window {
				return "", fmt.Errorf("swarm %s took %s, longer than the %s load window: raise -rolling-window", change, d.Round(time.Second), window)
			}
			b.log.Printf("swarm %s rep %d: %.1fs; under load %.1f req/s, %d failed of %d, p99 %.1fms, max %.1fms",
				change, rep+1, d.Seconds(), o.r.RPS, o.r.Errors, o.r.Reqs, o.r.P99ms, o.r.MaxMs)
			raw[change] = append(raw[change], o.r)
			took[change] = append(took[change], d.Seconds())
		}
	}
	for _, change := range []string{"update", "rollback"} {
		rs := raw[change]
		row := RollingRow{Change: change, Replicas: 2, Concurrency: conc, DurationS: summarize(took[change]),
			RPS: summarize(series(rs, func(r LoadResult) float64 { return r.RPS })),
			P99: summarize(series(rs, func(r LoadResult) float64 { return r.P99ms })), MaxMs: summarize(series(rs, func(r LoadResult) float64 { return r.MaxMs }))}
		for _, r := range rs {
			row.Requests += r.Reqs
			row.Failed += r.Errors
		}
		b.res.Rolling = append(b.res.Rolling, row)
	}
	return "", nil
}

// advertiseAddr is this host's address on its default route, which swarm
// needs when the host has several (docker0's among them).
func advertiseAddr() string {
	c, err := net.Dial("udp", "192.0.2.1:9") // no packet is sent for UDP
	if err != nil {
		return "127.0.0.1"
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String()
}
