package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// Deadlines for a service to become ready. The database's first start
// initialises its data directory, which takes longer.
const (
	dbReadyTimeout  = 180 * time.Second
	webReadyTimeout = 120 * time.Second
	pollEvery       = 250 * time.Millisecond
)

// waitReady polls the service's own probe rather than Docker's health status:
// Docker runs the first healthcheck only after a full interval, which would
// add seconds to every start.
func (e *Engine) waitReady(ctx context.Context, s site.Spec, service, name string) error {
	res := "container " + name
	timeout := webReadyTimeout
	if service == site.ServiceDB || service == site.ServiceAllInOne {
		timeout = dbReadyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	events.Emit(ctx, res, events.Working, "waiting until ready")
	start := time.Now()
	var last string
	for {
		inspect, err := e.cli.ContainerInspect(ctx, name)
		if err != nil {
			return fmt.Errorf("inspect container %q: %w", name, err)
		}
		if !inspect.State.Running && !inspect.State.Restarting {
			return fmt.Errorf("container %q stopped (exit code %d) before it was ready; its last log lines:\n%s\n  see all with: wpstack logs %s --service %s",
				name, inspect.State.ExitCode, e.tail(ctx, name, 15), s.Name, service)
		}
		if inspect.State.Running {
			out, code, err := e.execIn(ctx, name, "", healthCmd(service))
			if err == nil && code == 0 {
				events.Emit(ctx, res, events.Done, fmt.Sprintf("ready in %.1fs", time.Since(start).Seconds()))
				return nil
			}
			if err == nil {
				last = strings.TrimSpace(out)
			}
		}
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("container %q not ready after %s (last check: %s); its last log lines:\n%s\n  see all with: wpstack logs %s --service %s",
					name, timeout, last, e.tail(context.Background(), name, 15), s.Name, service)
			}
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

// healthCmd is the image's own health check for a service, run by exec.
func healthCmd(service string) []string {
	return contract.HealthCommand(service)
}

// Exec runs cmd as user ("" = the image's user) in the running container of
// the site's service and returns its combined output and exit code.
func (e *Engine) Exec(ctx context.Context, s site.Spec, service, user string, cmd []string) (string, int, error) {
	return e.execIn(ctx, s.ContainerName(service), user, cmd)
}

// execIn runs cmd in the named running container.
func (e *Engine) execIn(ctx context.Context, name, user string, cmd []string) (string, int, error) {
	ex, err := e.cli.ContainerExecCreate(ctx, name, container.ExecOptions{Cmd: cmd, User: user, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return "", -1, fmt.Errorf("exec %q in %q: %w", strings.Join(cmd, " "), name, err)
	}
	att, err := e.cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return "", -1, fmt.Errorf("attach to exec in %q: %w", name, err)
	}
	defer att.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, att.Reader); err != nil && err != io.EOF {
		return buf.String(), -1, fmt.Errorf("read exec output in %q: %w", name, err)
	}
	ins, err := e.cli.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		return buf.String(), -1, fmt.Errorf("inspect exec in %q: %w", name, err)
	}
	return buf.String(), ins.ExitCode, nil
}

// tail returns the last n log lines of a container, for error messages.
func (e *Engine) tail(ctx context.Context, name string, n int) string {
	rc, err := e.cli.ContainerLogs(ctx, name, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: fmt.Sprint(n)})
	if err != nil {
		return "  (no logs: " + err.Error() + ")"
	}
	defer rc.Close()
	var buf bytes.Buffer
	_, _ = stdcopy.StdCopy(&buf, &buf, rc)
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	for i := range lines {
		lines[i] = "    " + lines[i]
	}
	return strings.Join(lines, "\n")
}
