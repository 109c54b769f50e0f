package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/service"
)

func newScale(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "scale SITE REPLICAS",
		Short: "Set the number of web replicas of a swarm site",
		Long: `Set how many web replicas a swarm site runs, and wait until they all serve.

The edge finds replicas by DNS, so new ones get traffic as soon as they are
healthy, with no reconfiguration. More than one replica on a multi-node
swarm needs the site's --shared-storage, so that an upload made through one
replica is served by all.`,
		Example: "  wpstack scale blog 4\n  wpstack scale blog 2 --json",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 {
				return UsageError{fmt.Errorf("scale takes a site name and a number of replicas, e.g. `wpstack scale blog 4`")}
			}
			if n, err := strconv.Atoi(args[1]); err != nil || n < 1 {
				return UsageError{fmt.Errorf("invalid replicas %q: give a whole number of at least 1, e.g. `wpstack scale %s 4`", args[1], args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n, _ := strconv.Atoi(args[1])
			return runVerb(g, cmd, asJSON, func(svc *service.Service, r *renderer) (any, string, error) {
				res, err := svc.Scale(events.WithSink(cmd.Context(), r), service.ScaleOptions{Name: args[0], Replicas: n})
				return res, fmt.Sprintf("Site %q runs %d web replicas (%.1fs)", res.Name, res.Replicas, res.Duration.Seconds()), err
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func newUpdate(g *globals) *cobra.Command {
	var asJSON bool
	var opts service.UpdateOptions
	c := &cobra.Command{
		Use:   "update SITE",
		Short: "Rolling update of a swarm site's web replicas, with automatic rollback",
		Long: `Rebuild what changed (a new --wordpress-source, a new wpstack), push it to the
site's registry and replace the web replicas one at a time: each new replica
starts and must pass its health check before an old one stops, with a pause
between replicas, so the site keeps answering throughout.

A new version whose health check fails is rolled back by the swarm itself;
update then exits non-zero saying so, and the site runs the previous version.
Use wpstack rollback to go back after an update that succeeded.`,
		Example: `  wpstack update blog
  wpstack update blog --wordpress-source https://wordpress.org/wordpress-6.5.tar.gz
  wpstack update blog --web-image registry.example:5000/me/web:custom`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runVerb(g, cmd, asJSON, func(svc *service.Service, r *renderer) (any, string, error) {
				res, err := svc.Update(events.WithSink(cmd.Context(), r), opts)
				if errors.Is(err, service.ErrUpdateRolledBack) && asJSON {
					return res, "", err
				}
				return res, fmt.Sprintf("Site %q updated (%.1fs)", res.Name, res.Duration.Seconds()), err
			})
		},
	}
	f := c.Flags()
	f.StringVar(&opts.WordPressSource, "wordpress-source", "", "new WordPress source: debian, an https URL, a .zip/.tar.gz or a folder (default: the site's)")
	f.StringVar(&opts.WebImage, "web-image", "", "run this web image instead of the built one (not stored: the next up or update returns to the built image)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func newRollback(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "rollback SITE",
		Short: "Return a swarm site's web replicas to the version before the last update",
		Long: `Replace the web replicas (and the cron runner) with the version they ran before
the last update, one at a time, each new one healthy before an old one stops.`,
		Example: "  wpstack rollback blog",
		Args:    exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerb(g, cmd, asJSON, func(svc *service.Service, r *renderer) (any, string, error) {
				res, err := svc.Rollback(events.WithSink(cmd.Context(), r), service.RollbackOptions{Name: args[0]})
				return res, fmt.Sprintf("Site %q rolled back (%.1fs)", res.Name, res.Duration.Seconds()), err
			})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

// runVerb runs one verb with progress, then prints its result as JSON or
// as one line.
func runVerb(g *globals, cmd *cobra.Command, asJSON bool, do func(*service.Service, *renderer) (any, string, error)) error {
	svc, err := g.service()
	if err != nil {
		return err
	}
	r, err := newRenderer(g.progress, g.stderr)
	if err != nil {
		return err
	}
	res, line, err := do(svc, r)
	r.finish()
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintln(g.stdout, line)
	return nil
}
