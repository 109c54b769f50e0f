package container

import (
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The supervisor tests run real processes. As a child subreaper the test
// process adopts orphans the way PID 1 does in a container.
func subreaper(t *testing.T) {
	t.Helper()
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
}

func shSupervisor(logs *bytes.Buffer, script string, group bool) *Supervisor {
	return &Supervisor{
		Log: log.New(logs, "", 0),
		Children: []ChildSpec{{
			Name: "sh", Path: "/bin/sh", Args: []string{"sh", "-c", script},
			Env: os.Environ(), SignalGroup: group,
		}},
		ReapInterval: 50 * time.Millisecond,
	}
}

func TestSupervisorExitCodes(t *testing.T) {
	subreaper(t)
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"kill -TERM $$", 143},
		{"kill -KILL $$", 137},
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		code, err := shSupervisor(&logs, tt.script, false).Run()
		if err != nil || code != tt.want {
			t.Errorf("%q: code %d, err %v; want %d (log %q)", tt.script, code, err, tt.want, logs.String())
		}
	}
}

func TestSupervisorStartError(t *testing.T) {
	s := &Supervisor{Children: []ChildSpec{{Name: "nope", Path: "/nonexistent/prog"}}}
	if _, err := s.Run(); err == nil || !strings.Contains(err.Error(), "start nope") {
		t.Fatalf("err = %v", err)
	}
	if _, err := (&Supervisor{}).Run(); err == nil {
		t.Fatal("no children accepted")
	}
}

// zombiesOf lists the zombie children of pid.
func zombiesOf(t *testing.T, pid int) []string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []string
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		rest := s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(rest)
		if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(pid) {
			out = append(out, s)
		}
	}
	return out
}

func TestSupervisorReapsOrphans(t *testing.T) {
	subreaper(t)
	var logs bytes.Buffer
	// Each ( sleep & ) leaves an orphan re-parented to this process; they
	// end long before the main child does.
	script := "for i in 1 2 3 4 5; do (sleep 0.05 &); done; sleep 0.6; exit 4"
	code, err := shSupervisor(&logs, script, false).Run()
	if err != nil || code != 4 {
		t.Fatalf("code %d, err %v", code, err)
	}
	if z := zombiesOf(t, os.Getpid()); len(z) > 0 {
		t.Fatalf("zombies left: %v", z)
	}
}

func TestSupervisorForwardsSignals(t *testing.T) {
	subreaper(t)
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	script := `trap 'exit 7' USR1; trap 'exit 8' HUP; touch ` + ready + `; while :; do sleep 0.02; done`
	for _, tc := range []struct {
		sig   syscall.Signal
		want  int
		group bool
	}{
		{syscall.SIGUSR1, 7, false},
		{syscall.SIGHUP, 8, true},
		{syscall.SIGTERM, 143, true},
	} {
		os.Remove(ready)
		var logs bytes.Buffer
		done := make(chan int, 1)
		go func() {
			code, err := shSupervisor(&logs, script, tc.group).Run()
			if err != nil {
				t.Error(err)
			}
			done <- code
		}()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("child never became ready")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// The supervisor receives the signal as PID 1 would from Docker.
		if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-done:
			// SIGTERM: with the group signalled, sh itself dies of it
			// (its trap does not cover TERM).
			if code != tc.want {
				t.Errorf("%v: code %d, want %d (log %q)", tc.sig, code, tc.want, logs.String())
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%v: supervisor did not return", tc.sig)
		}
	}
}

func TestSupervisorStopsSiblings(t *testing.T) {
	subreaper(t)
	var logs bytes.Buffer
	s := &Supervisor{
		Log: log.New(&logs, "", 0),
		Children: []ChildSpec{
			{Name: "quick", Path: "/bin/sh", Args: []string{"sh", "-c", "sleep 0.1; exit 5"}},
			{Name: "stubborn", Path: "/bin/sh", Args: []string{"sh", "-c", "trap '' TERM; sleep 30"}, SignalGroup: true},
		},
		StopTimeout:  200 * time.Millisecond,
		ReapInterval: 20 * time.Millisecond,
	}
	start := time.Now()
	code, err := s.Run()
	if err != nil || code != 5 {
		t.Fatalf("code %d, err %v; log %q", code, err, logs.String())
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	if !strings.Contains(logs.String(), "stubborn") || !strings.Contains(logs.String(), "killing it") {
		t.Fatalf("log %q", logs.String())
	}
}
