package container

import (
	"syscall"
	"time"
)

// Backoff says how the Supervisor restarts a child marked Restart. The
// delays double from First up to Max; after Limit failures in a row the
// supervisor gives up and stops everything with a non-zero code, so the
// container ends and Docker's restart policy and health status show it. A
// run longer than Stable counts as a success and resets the count.
type Backoff struct {
	First  time.Duration // 0 means 1 s
	Max    time.Duration // 0 means 30 s
	Limit  int           // 0 means 5
	Stable time.Duration // 0 means 60 s
}

func (b Backoff) withDefaults() Backoff {
	if b.First <= 0 {
		b.First = time.Second
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Limit <= 0 {
		b.Limit = 5
	}
	if b.Stable <= 0 {
		b.Stable = 60 * time.Second
	}
	return b
}

// delay is the wait before restart number n (1-based) of a run of failures.
func (b Backoff) delay(n int) time.Duration {
	b = b.withDefaults()
	d := b.First
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// failures tracks the failures in a row of one restartable child.
type failures struct {
	count int
}

// next records a run that lasted ran and says whether to restart, and after
// how long. A long run resets the count first.
func (f *failures) next(b Backoff, ran time.Duration) (time.Duration, bool) {
	b = b.withDefaults()
	if ran >= b.Stable {
		f.count = 0
	}
	f.count++
	if f.count > b.Limit {
		return 0, false
	}
	return b.delay(f.count), true
}

// isStopSignal says whether a forwarded signal asks the children to end,
// after which none is restarted. SIGHUP and the SIGUSRs are not: Apache and
// others take them as reload requests.
func isStopSignal(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT:
		return true
	}
	return false
}
