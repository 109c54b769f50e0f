package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/wpstack/wpstack/internal/site"
)

// ServiceStatus is one service of a site as the engine sees it.
type ServiceStatus struct {
	Name      string `json:"name"`
	Container string `json:"container,omitempty"`
	Image     string `json:"image,omitempty"`
	Running   int    `json:"running"`
	Desired   int    `json:"desired"`
	Health    string `json:"health"`
	State     string `json:"state"`
}

// Services reports every service of the site's layout, in start order. A
// service whose container exists is desired; `down` removes containers.
func (e *Engine) Services(ctx context.Context, s site.Spec) ([]ServiceStatus, error) {
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", site.LabelSite+"="+s.Name))})
	if err != nil {
		return nil, fmt.Errorf("list containers of site %q: %w", s.Name, err)
	}
	byService := map[string]container.Summary{}
	for _, c := range list {
		byService[c.Labels[site.LabelService]] = c
	}
	var out []ServiceStatus
	for _, name := range s.Services() {
		st := ServiceStatus{Name: name, Health: "none", State: "absent"}
		if c, ok := byService[name]; ok {
			st.Container = strings.TrimPrefix(firstOr(c.Names, c.ID), "/")
			st.Image = c.Image
			st.Desired = 1
			st.State = string(c.State)
			if c.State == container.StateRunning {
				st.Running = 1
			}
			if ins, err := e.cli.ContainerInspect(ctx, c.ID); err == nil && ins.State != nil && ins.State.Health != nil {
				st.Health = string(ins.State.Health.Status)
			}
			// Docker says "starting" until its first check, a full interval
			// after start; run the same check now rather than report stale news.
			if st.Running == 1 && st.Health == "starting" {
				if _, code, err := e.Exec(ctx, c.ID, "", healthCmd(name)); err == nil && code == 0 {
					st.Health = "healthy"
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Overall folds service states into one word: running, starting, degraded or down.
func Overall(svcs []ServiceStatus) string {
	desired, running, healthy := 0, 0, 0
	for _, s := range svcs {
		desired += s.Desired
		running += s.Running
		if s.Health == "healthy" {
			healthy++
		}
	}
	switch {
	case desired == 0:
		return "down"
	case running == len(svcs) && healthy == len(svcs):
		return "running"
	case running == len(svcs):
		return "starting"
	default:
		return "degraded"
	}
}

// CoreVersion asks the running container that serves WordPress which core
// its webroot holds (it may be newer than the image's after an update in
// wp-admin).
func (e *Engine) CoreVersion(ctx context.Context, s site.Spec) (string, error) {
	name := s.ContainerName(s.WebService())
	out, code, err := e.Exec(ctx, name, "www-data", []string{"/usr/local/bin/wpstack", "container", "version"})
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", fmt.Errorf("read WordPress version in %s: %s", name, strings.TrimSpace(out))
	}
	return strings.TrimSpace(out), nil
}
