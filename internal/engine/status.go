package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// Status reports every service of the site's layout, in start order, and
// the core version the running site serves. When any container of the site
// exists, every service of its layout is desired (`down` removes them all).
func (e *Engine) Status(ctx context.Context, s site.Spec) (target.Status, error) {
	svcs, err := e.services(ctx, s)
	if err != nil {
		return target.Status{}, err
	}
	st := target.Status{State: target.Overall(svcs), Services: svcs}
	if st.State != target.Down {
		if v, err := e.CoreVersion(ctx, s); err == nil {
			st.WordPressVersion = v
		}
	}
	return st, nil
}

func (e *Engine) services(ctx context.Context, s site.Spec) ([]target.ServiceStatus, error) {
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", site.LabelSite+"="+s.Name))})
	if err != nil {
		return nil, fmt.Errorf("list containers of site %q: %w", s.Name, err)
	}
	byService := map[string]container.Summary{}
	for _, c := range list {
		byService[c.Labels[site.LabelService]] = c
	}
	var out []target.ServiceStatus
	for _, name := range s.Services() {
		st := target.ServiceStatus{Name: name, Health: "none", State: "absent"}
		if len(list) > 0 {
			st.Desired = 1
		}
		if c, ok := byService[name]; ok {
			st.Container = strings.TrimPrefix(firstOr(c.Names, c.ID), "/")
			st.Image = c.Image
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
				if _, code, err := e.execIn(ctx, c.ID, "", healthCmd(name)); err == nil && code == 0 {
					st.Health = "healthy"
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// CoreVersion asks the running container that serves WordPress which core
// its webroot holds (it may be newer than the image's after an update in
// wp-admin).
func (e *Engine) CoreVersion(ctx context.Context, s site.Spec) (string, error) {
	name := s.ContainerName(s.WebService())
	out, code, err := e.execIn(ctx, name, contract.WebUser, contract.Command(contract.RoleVersion))
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", fmt.Errorf("read WordPress version in %s: %s", name, strings.TrimSpace(out))
	}
	return strings.TrimSpace(out), nil
}
