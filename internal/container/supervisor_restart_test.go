package container

import (
	"bytes"
	"log"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the line writer's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSupervisorPrefixesLines(t *testing.T) {
	subreaper(t)
	var out syncBuffer
	s := &Supervisor{
		Lines:        &out,
		ReapInterval: 50 * time.Millisecond,
		Children: []ChildSpec{
			{Name: "one", Path: "/bin/sh", Args: []string{"sh", "-c", "echo hello; echo oops >&2; printf 'no newline'"}, Env: os.Environ()},
		},
	}
	code, err := s.Run()
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	got := out.String()
	for _, want := range []string{"one | hello\n", "one | oops\n", "one | no newline\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestSupervisorRestartsWithBackoff(t *testing.T) {
	subreaper(t)
	dir := t.TempDir()
	var logs syncBuffer
	// "flaky" fails twice, then runs until stopped; "main" ends the run
	// once flaky has been restarted and is up again.
	s := &Supervisor{
		Log:          log.New(&logs, "", 0),
		ReapInterval: 20 * time.Millisecond,
		Backoff:      Backoff{First: 20 * time.Millisecond, Limit: 5},
		Children: []ChildSpec{
			{Name: "flaky", Path: "/bin/sh", Restart: true, Env: os.Environ(), Args: []string{"sh", "-c",
				`n=$(cat ` + dir + `/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ` + dir + `/n; [ $n -ge 3 ] && { touch ` + dir + `/up; exec sleep 30; }; exit 7`}},
			{Name: "main", Path: "/bin/sh", Env: os.Environ(), Args: []string{"sh", "-c",
				`while [ ! -e ` + dir + `/up ]; do sleep 0.02; done; exit 4`}},
		},
	}
	code, err := s.Run()
	if err != nil || code != 4 {
		t.Fatalf("code %d, err %v; want 4 (log:\n%s)", code, err, logs.String())
	}
	if n := strings.Count(logs.String(), "restarting flaky"); n != 2 {
		t.Errorf("flaky restarted %d times, want 2:\n%s", n, logs.String())
	}
}

func TestSupervisorGivesUpAfterRepeatedFailures(t *testing.T) {
	subreaper(t)
	var logs syncBuffer
	s := &Supervisor{
		Log:          log.New(&logs, "", 0),
		ReapInterval: 20 * time.Millisecond,
		Backoff:      Backoff{First: 10 * time.Millisecond, Limit: 3},
		Children: []ChildSpec{
			{Name: "bad", Path: "/bin/sh", Restart: true, Env: os.Environ(), Args: []string{"sh", "-c", "exit 0"}},
			{Name: "other", Path: "/bin/sleep", Args: []string{"sleep", "30"}},
		},
	}
	code, err := s.Run()
	if err != nil || code != 1 {
		t.Fatalf("code %d, err %v; want 1 (a restartable child that keeps ending fails the run)\n%s", code, err, logs.String())
	}
	if !strings.Contains(logs.String(), "bad failed 4 times in a row") {
		t.Errorf("log lacks the give-up line:\n%s", logs.String())
	}
}

func TestSupervisorNoRestartAfterStop(t *testing.T) {
	subreaper(t)
	var logs syncBuffer
	s := &Supervisor{
		Log:          log.New(&logs, "", 0),
		ReapInterval: 20 * time.Millisecond,
		Backoff:      Backoff{First: 10 * time.Millisecond},
		Children: []ChildSpec{
			{Name: "svc", Path: "/bin/sleep", Restart: true, Args: []string{"sleep", "30"}},
		},
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
	code, err := s.Run()
	if err != nil || code != 128+int(syscall.SIGTERM) {
		t.Fatalf("code %d, err %v; want 143\n%s", code, err, logs.String())
	}
	if strings.Contains(logs.String(), "restarting") {
		t.Errorf("restarted after a stop signal:\n%s", logs.String())
	}
}

func TestBackoffDelays(t *testing.T) {
	b := Backoff{First: time.Second, Max: 5 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 10: 5 * time.Second} {
		if got := b.delay(n); got != want {
			t.Errorf("delay(%d) = %s, want %s", n, got, want)
		}
	}
	var f failures
	bb := Backoff{Limit: 2, Stable: time.Minute}
	if _, ok := f.next(bb, time.Second); !ok {
		t.Fatal("first failure not restarted")
	}
	if _, ok := f.next(bb, time.Hour); !ok || f.count != 1 {
		t.Fatalf("a long run did not reset the count: %d", f.count)
	}
	f.next(bb, 0)
	if _, ok := f.next(bb, 0); ok {
		t.Fatal("restarted past the limit")
	}
}
