//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// edgeClient talks to a swarm site through the edge on one node, with the
// site's Host header.
type edgeClient struct {
	base, host string
	c          *http.Client
}

func newEdgeClient(ip string, port int) *edgeClient {
	return &edgeClient{base: fmt.Sprintf("http://%s:%d", ip, port), host: fmt.Sprintf("localhost:%d", port), c: &http.Client{
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends one request and returns status, body and the replica that served it.
func (e *edgeClient) do(ctx context.Context, method, path string, body io.Reader, ctype string) (int, []byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, body)
	if err != nil {
		return 0, nil, "", err
	}
	req.Host = e.host
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("X-Served-By"), err
}

// load sends GET requests at a constant rate through the edge and counts
// every one that fails (an error or a status other than 200).
type load struct {
	mu       sync.Mutex
	sent     int
	failed   int
	firstErr []string
	failedAt []time.Time // when each failed request was sent
	slowest  time.Duration
	served   map[string]int
	start    time.Time
	stop     context.CancelFunc
	done     chan struct{}
}

// loadResult is what a load measured between start and stop.
type loadResult struct {
	Sent, Failed int
	Rate         float64 // requests per second actually sent
	Slowest      time.Duration
	Replicas     int // distinct replicas that answered
	Errors       []string
	FailedAt     []time.Time
}

func (r loadResult) String() string {
	s := fmt.Sprintf("%d requests at %.1f/s, %d failed, slowest %s, %d replicas answered",
		r.Sent, r.Rate, r.Failed, r.Slowest.Round(time.Millisecond), r.Replicas)
	if len(r.Errors) > 0 {
		s += fmt.Sprintf("; first errors: %v", r.Errors)
	}
	return s
}

// startLoad sends rate requests per second, alternating the home page
// (PHP and the database) and a static file, until stop or maxFor.
func startLoad(e *edgeClient, rate int, maxFor time.Duration) *load {
	ctx, cancel := context.WithTimeout(context.Background(), maxFor)
	l := &load{served: map[string]int{}, start: time.Now(), stop: cancel, done: make(chan struct{})}
	paths := []string{"/", "/wp-includes/js/wp-embed.min.js"}
	go func() {
		defer close(l.done)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 64) // bounded concurrency
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				wg.Wait()
				return
			case <-tick.C:
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				wg.Wait()
				return
			}
			wg.Add(1)
			go func(path string) {
				defer wg.Done()
				defer func() { <-sem }()
				t0 := time.Now()
				// Each request finishes even after stop: it was sent under load.
				status, _, by, err := e.do(context.Background(), http.MethodGet, path, nil, "")
				took := time.Since(t0)
				l.mu.Lock()
				defer l.mu.Unlock()
				l.sent++
				if took > l.slowest {
					l.slowest = took
				}
				if err != nil || status != http.StatusOK {
					l.failed++
					l.failedAt = append(l.failedAt, t0)
					if len(l.firstErr) < 5 {
						l.firstErr = append(l.firstErr, fmt.Sprintf("%s %s: status %d err %v", t0.Format("15:04:05.000"), path, status, err))
					}
					return
				}
				l.served[by]++
			}(paths[i%len(paths)])
		}
	}()
	return l
}

func (l *load) finish() loadResult {
	l.stop()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, 0, len(l.served))
	for k := range l.served {
		names = append(names, k)
	}
	sort.Strings(names)
	return loadResult{Sent: l.sent, Failed: l.failed, Rate: float64(l.sent) / time.Since(l.start).Seconds(),
		Slowest: l.slowest, Replicas: len(names), Errors: l.firstErr, FailedAt: l.failedAt}
}
