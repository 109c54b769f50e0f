package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newStatus(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status [SITE]",
		Short: "Show sites, their services and health",
		Long: `Show one site, or every site when no name is given: its URL, overall state
(running, starting, degraded or down), each service's running/desired count
and health, the admin user, the admin password file and the WordPress core
version actually running.

With --json: one object for a named site, an array otherwise.`,
		Example: "  wpstack status\n  wpstack status blog --json",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 1 {
				return UsageError{fmt.Errorf("status takes at most one site name")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			sites, err := svc.Status(cmd.Context(), service.StatusOptions{Name: name})
			if err != nil {
				return err
			}
			if asJSON {
				if name != "" {
					return g.printJSON(sites[0])
				}
				return g.printJSON(sites)
			}
			if len(sites) == 0 {
				fmt.Fprintln(g.stdout, "No sites yet. Create one with: wpstack up blog")
				return nil
			}
			for i, s := range sites {
				if i > 0 {
					fmt.Fprintln(g.stdout)
				}
				fmt.Fprintf(g.stdout, "%s  %s  %s  (layout %s, WordPress %s)\n", s.Name, strings.ToUpper(s.State), s.URL, s.Layout, orDash(s.WordPressVersion))
				printStack(g, s.Name, s.StackStatus)
				if s.Cluster != nil {
					printCluster(g.stdout, s)
					continue
				}
				tw := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "  SERVICE\tRUNNING\tHEALTH\tCONTAINER\tIMAGE")
				for _, sv := range s.Services {
					fmt.Fprintf(tw, "  %s\t%d/%d\t%s\t%s\t%s\n", sv.Name, sv.Running, sv.Desired, sv.Health, orDash(sv.Container), orDash(sv.Image))
				}
				tw.Flush()
				fmt.Fprintf(g.stdout, "  admin: %s, password in %s\n", s.AdminUser, s.AdminPasswordFile)
				printBackups(g.stdout, s.Backups)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
