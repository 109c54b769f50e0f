package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/wpstack/wpstack/internal/adopt"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// AdoptOptions name the deployment to adopt and the site to make of it.
type AdoptOptions struct {
	adopt.Options
	// As is the new site's name (default: the compose project's).
	As             string
	Port           int
	Domains        []string
	WpstackVersion string
}

// AdoptResult is what `adopt` prints.
type AdoptResult struct {
	ImportResult
	Stack adopt.Stack `json:"stack"`
	// Remove says how to remove the original once the new site is right.
	Remove string `json:"remove_original"`
}

// Adopt makes a wpstack site of a compose deployment of the official
// images: it recognises the stack, dumps its database through its
// database container and copies its wp-content, then imports both (see
// Import). The deployment is left as it was, running or stopped.
func (s *Service) Adopt(ctx context.Context, opts AdoptOptions) (AdoptResult, error) {
	var res AdoptResult
	_, cli, err := s.engine(ctx)
	if err != nil {
		return res, err
	}
	defer cli.Close()
	st, err := adopt.Load(ctx, cli, opts.Options)
	res.Stack = st
	if err != nil {
		return res, fmt.Errorf("%w\nnothing was changed", err)
	}
	name := opts.As
	if name == "" {
		name = siteNameOf(st.Project)
		if err := site.ValidateName(name); err != nil {
			return res, fmt.Errorf("the project name %q does not make a site name (%v): give one with --as", st.Project, err)
		}
	}
	if s.store.Exists(name) && !s.importInterrupted(name) {
		return res, fmt.Errorf("site %q already exists: give the adopted site another name with --as (nothing was changed)", name)
	}
	if opts.Port == 0 && len(opts.Domains) == 0 {
		return res, fmt.Errorf("give the new site an address with --port P or --domain D: the original keeps its own until you remove it (nothing was changed)")
	}
	events.Emit(ctx, "adopt "+st.Project, events.Done, fmt.Sprintf("recognised WordPress in %s (%s) and its database in %s (%s)", st.Web.Container, st.Web.Image, st.DB.Container, st.DB.Image))
	in := st.Input(cli)
	ir, err := s.Import(ctx, ImportOptions{Name: name, Input: &in, Port: opts.Port, Domains: opts.Domains, WpstackVersion: opts.WpstackVersion})
	res.ImportResult = ir
	if err != nil {
		return res, err
	}
	res.Remove = st.RemoveHint()
	return res, nil
}

// siteNameOf turns a compose project name into a site name.
func siteNameOf(project string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, project), "-")
}
