package swarm

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// stackEdge is the domain edge of a swarm site from its files: each one a
// swarm secret named after its content, so a changed configuration or a
// renewed certificate rolls the edge over to new secrets (swarm secrets
// never change in place).
func stackEdge(s site.Spec, f *target.EdgeFiles) (*plan.StackEdge, error) {
	if f == nil {
		return nil, fmt.Errorf("site %q has domains but no edge files were prepared", s.Name)
	}
	e := &plan.StackEdge{
		HTTPPort: s.HTTPPort, HTTPSPort: s.HTTPSPort,
		HTTPTarget: edge.ListenHTTP, HTTPSTarget: edge.ListenHTTPS,
		Command:  contract.Command(contract.RoleRun, "--", "/usr/sbin/nginx", "-e", "stderr", "-c", edge.StackConfFile),
		UID:      edge.UID,
		CacheDir: edge.CacheDir,
	}
	for _, sec := range []struct{ key, file, target string }{
		{"edge_conf", f.Conf, edge.StackConfFile},
		{"edge_cert", f.Cert, edge.StackCertFile},
		{"edge_key", f.Key, edge.StackKeyFile},
	} {
		b, err := os.ReadFile(sec.file)
		if err != nil {
			return nil, fmt.Errorf("read the edge's %s for site %q: %w", sec.key, s.Name, err)
		}
		sum := sha256.Sum256(b)
		e.Secrets = append(e.Secrets, plan.EdgeSecret{Key: sec.key, Name: s.Name + "_" + sec.key + "_" + hex.EncodeToString(sum[:6]), File: sec.file, Target: sec.target})
	}
	return e, nil
}

// probeTLS is how the readiness probe reaches the site's edge: by its name
// (SNI). It only asks whether a web task answers; the certificate is the
// one wpstack made or checked, and the installer verifies it.
func probeTLS(s site.Spec) *tls.Config {
	return &tls.Config{ServerName: s.Domains[0], InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // readiness only, see above
}

// pruneEdgeSecrets removes the stack's edge secrets that the deployed
// stack no longer names (a configuration or certificate replaced by a new
// one), once the edge runs on the new ones. A secret some task still uses
// is refused by swarm and left for the next deploy or destroy.
func (c *Cluster) pruneEdgeSecrets(ctx context.Context, stack string, keep map[string]bool) {
	secs, err := c.cli.SecretList(ctx, swarm.SecretListOptions{Filters: filters.NewArgs(filters.Arg("label", LabelNamespace+"="+stack))})
	if err != nil {
		return
	}
	for _, s := range secs {
		if !strings.HasPrefix(s.Spec.Name, stack+"_edge_") || keep[s.Spec.Name] {
			continue
		}
		if err := c.cli.SecretRemove(ctx, s.ID); err == nil {
			events.Emit(ctx, "secret "+s.Spec.Name, events.Done, "removed (replaced)")
		}
	}
}

// waitEdgeTasks returns once every live task of the stack's edge runs the
// service's current image and secrets. Wait may return before swarm marks
// a just-requested edge update as started (its tasks all run, on the old
// secrets), and the old secrets must outlive the tasks that read them.
func (c *Cluster) waitEdgeTasks(ctx context.Context, stack string, since time.Time, timeout time.Duration) error {
	name := ServiceName(stack, plan.ServiceEdge)
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		svc, ok, err := c.service(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("service %s is gone", name)
		}
		if u := svc.UpdateStatus; u != nil && u.StartedAt != nil && !u.StartedAt.Before(since.Add(-time.Second)) {
			switch u.State {
			case swarm.UpdateStateRollbackStarted, swarm.UpdateStateRollbackCompleted, swarm.UpdateStatePaused, swarm.UpdateStateRollbackPaused:
				return fmt.Errorf("service %s: update %s: %s", name, u.State, u.Message)
			}
		}
		want := taskFingerprint(svc.Spec.TaskTemplate.ContainerSpec)
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc.ID))})
		if err != nil {
			return fmt.Errorf("list tasks of %s: %w", name, err)
		}
		current, stale, desired := 0, 0, 0
		for _, t := range tasks {
			live := t.Status.State == swarm.TaskStateRunning || t.Status.State == swarm.TaskStateStarting
			if t.DesiredState == swarm.TaskStateRunning {
				desired++
			}
			switch {
			case live && taskFingerprint(t.Spec.ContainerSpec) == want && t.Status.State == swarm.TaskStateRunning:
				current++
			case live:
				stale++
			}
		}
		if stale == 0 && desired > 0 && current == desired {
			return nil
		}
		msg := fmt.Sprintf("%s: %d of %d tasks on the new configuration", name, current, desired)
		if msg != last {
			events.Emit(ctx, "service "+name, events.Working, msg)
			last = msg
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the edge of stack %s did not move to its new configuration within %s (%s); see `docker service ps %s --no-trunc`", stack, timeout, msg, name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// taskFingerprint is what a new edge configuration changes in a task: its
// image and the secrets it reads.
func taskFingerprint(cs *swarm.ContainerSpec) string {
	if cs == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(cs.Image)
	for _, s := range cs.Secrets {
		b.WriteString("\x00" + s.SecretName)
	}
	return b.String()
}
