package main

import (
	"context"
	"fmt"
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
// site on a one-node swarm, with wrk running through the whole change. The
// swarm is made in a throwaway Docker-in-Docker engine, never on this one:
// on Engine 20.10, leaving a swarm empties the embedded DNS of every
// running container, which breaks every site on the engine. The engine
// gets this engine's images of the site (images), and is removed at the end.
func (b *bench) rolling(ctx context.Context, w *wpstackStack, reps int, window time.Duration, labContext string, images []string) error {
	b.log.Printf("swarm: starting a throwaway engine (Docker-in-Docker) and loading %s", strings.Join(images, " "))
	l, err := startLab(ctx, labContext, images)
	if l != nil {
		defer l.remove(context.WithoutCancel(ctx))
	}
	if err != nil {
		return err
	}
	lw := *w
	lw.env = append(append([]string{}, w.env...), "DOCKER_HOST="+l.host())
	if _, err := docker(ctx, "-H", l.host(), "swarm", "init", "--advertise-addr", "127.0.0.1"); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	name := b.prefix + "-s"
	title := "Bench " + name
	b.log.Printf("swarm: deploying %s with 2 web replicas on a one-node swarm in %s", name, l.name)
	if _, err := lw.run(ctx, "up", name, "--target", "swarm", "--replicas", "2", "--port", fmt.Sprint(port),
		"--title", title, "--wordpress-source", "debian"); err != nil {
		return err
	}
	defer func() {
		if err := lw.destroy(context.WithoutCancel(ctx), name); err != nil {
			b.log.Printf("cleanup: %v", err)
		}
	}()
	// The edge publishes the port in the lab engine, at its address.
	url := fmt.Sprintf("http://%s:%d/", l.ip, port)
	if err := poll(ctx, time.Minute, "home page of "+name, func() bool { return homeServes(ctx, newClient(), url, title) }); err != nil {
		return err
	}
	// The next release: the running web image with one more label, so the
	// update replaces every task and nothing else changes.
	img, err := docker(ctx, "-H", l.host(), "service", "inspect", name+"_web", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")
	if err != nil {
		return err
	}
	img, _, _ = strings.Cut(img, "@")
	next := "wpt-e-next:" + name
	if _, err := dockerIn(ctx, []byte("FROM "+img+"\nLABEL io.wpstack.bench.release=next\n"), "-H", l.host(), "build", "-q", "-t", next, "-"); err != nil {
		return err
	}

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
				return err
			}
			start := time.Now()
			_, cerr := lw.run(ctx, args...)
			d := time.Since(start)
			o := <-done
			if cerr != nil {
				return cerr
			}
			if o.err != nil {
				return o.err
			}
			if d+3*time.Second > window {
				return fmt.Errorf("swarm %s took %s, longer than the %s load window: raise -rolling-window", change, d.Round(time.Second), window)
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
	return nil
}
