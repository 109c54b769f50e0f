//go:build e2e

package e2e

import (
	"net/http"
	"testing"
	"time"
)

// The edge's brute-force brake: 10 login POSTs a minute per client
// address (nginx limit_req, rate 10r/m, burst 9, nodelay).
const (
	brakeBurst  = 10
	brakeRefill = 6 * time.Second // one more POST per 6 s
)

// wantLoginBrake sends login POSTs (post(i) makes the i-th) until the edge
// answers 429. The first ten always get through; after them, one more per
// 6 s the run has taken may (a loaded machine makes each POST slow), and
// no more. The refusal carries Retry-After: 6.
func wantLoginBrake(t *testing.T, post func(i int) *http.Response) {
	t.Helper()
	start := time.Now()
	for i := 1; i <= 3*brakeBurst; i++ {
		resp := post(i)
		if resp.StatusCode != http.StatusTooManyRequests {
			continue
		}
		if i <= brakeBurst {
			t.Fatalf("login POST %d of %d got 429 already", i, brakeBurst)
		}
		if allowed := brakeBurst + int(time.Since(start)/brakeRefill); i-1 > allowed {
			t.Fatalf("%d login POSTs got through in %s before a 429; the brake allows %d", i-1, time.Since(start).Round(time.Millisecond), allowed)
		}
		if ra := resp.Header.Get("Retry-After"); ra != "6" {
			t.Fatalf("login POST %d: 429 with Retry-After %q, want 6", i, ra)
		}
		t.Logf("login POST %d refused with 429 after %s", i, time.Since(start).Round(time.Millisecond))
		return
	}
	t.Fatalf("%d login POSTs in %s and none refused: the brake is off", 3*brakeBurst, time.Since(start).Round(time.Millisecond))
}
