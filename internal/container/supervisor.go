package container

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// ChildSpec describes one process run by the Supervisor.
type ChildSpec struct {
	// Name labels the child in log lines.
	Name string
	// Path is the program; without a slash it is looked up in PATH.
	Path string
	// Args is argv, including argv[0].
	Args []string
	// Env is the child's environment, NAME=value.
	Env []string
	// Dir is the working directory ("" keeps the current one).
	Dir string
	// SignalGroup puts the child in a new process group and forwards signals
	// to the whole group, so the helpers of a shell script stop with it.
	// Daemons that manage their own workers (Apache, MariaDB) want it off.
	SignalGroup bool
	// Restart starts the child again, after the Supervisor's Backoff, when
	// it ends while no stop was asked for.
	Restart bool
}

// Supervisor runs its children as PID 1 would: every signal but SIGCHLD is
// forwarded to them, every zombie in the container is reaped, and the exit
// code of the first child to end is returned. When one child ends, the
// others get SIGTERM, then SIGKILL after StopTimeout.
type Supervisor struct {
	Children []ChildSpec
	// Log receives one line per child start and exit.
	Log *log.Logger
	// StopTimeout bounds how long the remaining children get to stop once
	// one has ended; 0 means 10 seconds.
	StopTimeout time.Duration
	// ReapInterval is a fallback poll in case a SIGCHLD was coalesced
	// away; 0 means one second.
	ReapInterval time.Duration
	// Backoff paces the restarts of children marked Restart.
	Backoff Backoff
	// Lines, when set, receives every line the children write to stdout
	// or stderr, prefixed with the child's name; otherwise children write
	// straight to PID 1's stdout and stderr.
	Lines io.Writer
}

// running is a started child.
type running struct {
	spec    ChildSpec
	pid     int
	started time.Time
}

// Run starts the children and returns when all have ended. The code is the
// first child's exit code, or 128+signal when a signal ended it. A child
// marked Restart that ends unasked is started again instead; when it fails
// too often in a row, its code ends the run (1 if it exited with 0).
func (s *Supervisor) Run() (int, error) {
	if len(s.Children) == 0 {
		return 1, errors.New("supervisor: no child to run")
	}
	// Subscribe before the first start, so no SIGCHLD or forwarded signal
	// can arrive unseen.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	defer signal.Reset()

	var lines *lineWriter
	if s.Lines != nil {
		lines = newLineWriter(s.Lines)
		// Pipes end when the last writer exits; orphans holding one must
		// not keep PID 1 alive, hence the bound.
		defer waitBounded(lines, 2*time.Second)
	}
	children := make(map[int]running, len(s.Children))
	for _, spec := range s.Children {
		c, err := s.start(spec, lines)
		if err != nil {
			for _, c := range children {
				s.signal(c, syscall.SIGKILL)
			}
			s.reapUntilGone(children)
			return 1, fmt.Errorf("start %s: %w", spec.Name, err)
		}
		children[c.pid] = c
	}

	reapEvery := s.ReapInterval
	if reapEvery <= 0 {
		reapEvery = time.Second
	}
	ticker := time.NewTicker(reapEvery)
	defer ticker.Stop()
	var (
		code     int
		ended    bool // a child ended for good: the others are being stopped
		stopping bool // a stop signal was forwarded: nothing is restarted
		killTime <-chan time.Time
		pending  = map[string]*time.Timer{}
		restarts = make(chan ChildSpec, len(s.Children))
		fails    = map[string]*failures{}
	)
	stopAll := func() {
		for name, t := range pending {
			t.Stop()
			delete(pending, name)
		}
		if len(children) > 0 {
			for _, c := range children {
				s.signal(c, syscall.SIGTERM)
			}
			killTime = time.After(s.stopTimeout())
		}
	}
	for len(children) > 0 || len(pending) > 0 {
		select {
		case sig := <-sigs:
			switch sig {
			case syscall.SIGCHLD:
			case syscall.SIGURG:
				// The Go runtime's own preemption signal, not for the child.
				continue
			default:
				if isStopSignal(sig.(syscall.Signal)) && !stopping {
					stopping = true
					for name, t := range pending {
						t.Stop()
						delete(pending, name)
					}
				}
				for _, c := range children {
					s.signal(c, sig.(syscall.Signal))
				}
				continue
			}
		case <-ticker.C:
		case spec := <-restarts:
			if _, ok := pending[spec.Name]; !ok || ended || stopping {
				continue
			}
			delete(pending, spec.Name)
			c, err := s.start(spec, lines)
			if err != nil {
				s.logf("restart %s: %v", spec.Name, err)
				ended, code = true, 1
				stopAll()
				continue
			}
			children[c.pid] = c
			continue
		case <-killTime:
			for _, c := range children {
				s.logf("%s (pid %d) did not stop in time: killing it", c.spec.Name, c.pid)
				s.signal(c, syscall.SIGKILL)
			}
			killTime = nil
			continue
		}
		for _, ex := range reap(children) {
			s.logExit(ex)
			if ended {
				continue
			}
			exCode := exitCode(ex.status)
			if ex.spec.Restart && !stopping {
				f := fails[ex.spec.Name]
				if f == nil {
					f = &failures{}
					fails[ex.spec.Name] = f
				}
				if wait, again := f.next(s.Backoff, time.Since(ex.started)); again {
					s.logf("restarting %s in %s (failure %d of %d in a row)", ex.spec.Name, wait, f.count, s.Backoff.withDefaults().Limit)
					spec := ex.spec
					pending[spec.Name] = time.AfterFunc(wait, func() { restarts <- spec })
					continue
				}
				s.logf("%s failed %d times in a row: giving up, stopping everything", ex.spec.Name, f.count)
				if exCode == 0 {
					exCode = 1
				}
			}
			ended, code = true, exCode
			stopAll()
		}
	}
	// Orphans left by the children are reaped one last time; the kernel
	// kills whatever remains when PID 1 exits.
	reap(nil)
	return code, nil
}

// start starts one child and logs it.
func (s *Supervisor) start(spec ChildSpec, lines *lineWriter) (running, error) {
	pid, err := startChild(spec, lines)
	if err != nil {
		return running{}, err
	}
	s.logf("started %s (pid %d)", spec.Name, pid)
	return running{spec: spec, pid: pid, started: time.Now()}, nil
}

func waitBounded(lw *lineWriter, d time.Duration) {
	done := make(chan struct{})
	go func() { lw.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

func (s *Supervisor) stopTimeout() time.Duration {
	if s.StopTimeout > 0 {
		return s.StopTimeout
	}
	return 10 * time.Second
}

// startChild forks and execs spec without keeping anything that would wait
// for it: the reaper alone collects every exit status (exec.Cmd.Wait would
// race it for the same pid).
func startChild(spec ChildSpec, lines *lineWriter) (int, error) {
	path := spec.Path
	if path == "" {
		return 0, errors.New("no program given")
	}
	lp, err := exec.LookPath(path)
	if err != nil {
		return 0, err
	}
	args := spec.Args
	if len(args) == 0 {
		args = []string{path}
	}
	// By default the child writes straight to PID 1's stdout and stderr:
	// the container log, with no copy in between.
	files := []uintptr{0, 1, 2}
	if lines != nil {
		out, err := lines.pipe(spec.Name)
		if err != nil {
			return 0, fmt.Errorf("log pipe: %w", err)
		}
		defer out.Close() // the child has its own copy once forked
		files = []uintptr{0, out.Fd(), out.Fd()}
	}
	return syscall.ForkExec(lp, args, &syscall.ProcAttr{
		Dir:   spec.Dir,
		Env:   spec.Env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Setpgid: spec.SignalGroup},
	})
}

func (s *Supervisor) signal(c running, sig syscall.Signal) {
	target := c.pid
	if c.spec.SignalGroup {
		target = -c.pid
	}
	if err := syscall.Kill(target, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		s.logf("send %s to %s (pid %d): %v", sig, c.spec.Name, c.pid, err)
	}
}

// exited is a supervised child that ended.
type exited struct {
	spec    ChildSpec
	pid     int
	started time.Time
	status  syscall.WaitStatus
}

// reap collects every child that has ended, ours or orphans re-parented to
// PID 1, without blocking. Supervised ones are removed from children and
// returned.
func reap(children map[int]running) []exited {
	var out []exited
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return out // ECHILD: no children at all; 0: none ended yet
		}
		if c, ok := children[pid]; ok {
			delete(children, pid)
			out = append(out, exited{spec: c.spec, pid: pid, started: c.started, status: ws})
		}
	}
}

// reapUntilGone waits (bounded) for already-signalled children to end.
func (s *Supervisor) reapUntilGone(children map[int]running) {
	deadline := time.Now().Add(s.stopTimeout())
	for len(children) > 0 && time.Now().Before(deadline) {
		reap(children)
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Supervisor) logExit(ex exited) {
	switch {
	case ex.status.Signaled():
		s.logf("%s (pid %d) ended by signal %s", ex.spec.Name, ex.pid, ex.status.Signal())
	default:
		s.logf("%s (pid %d) exited with code %d", ex.spec.Name, ex.pid, exitCode(ex.status))
	}
}

func (s *Supervisor) logf(format string, args ...any) {
	if s.Log != nil {
		s.Log.Printf(format, args...)
	}
}
