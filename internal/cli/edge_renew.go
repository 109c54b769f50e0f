package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newEdgeRenew(g *globals) *cobra.Command {
	var before string
	var asJSON bool
	c := &cobra.Command{
		Use:   "renew",
		Short: "Renew the edge's certificates that are due, without restarting it",
		Long: `Renew every --tls acme certificate that expires within --renew-before (30
days by default) over HTTP-01, answered by the running edge, and every local
CA leaf under 30 days; then the edge loads them with a graceful reload (no
request dropped, the container is not restarted). A certificate that is not
due is left alone, so running it daily is cheap: put it in a systemd timer
or cron (see docs/edge.md). Every wpstack up of a site with a domain does
the same check. A failed renewal is reported (what the CA said and the fix)
and exits non-zero; the current certificate is served meanwhile.`,
		Example: `  wpstack edge renew
  wpstack edge renew --renew-before 60d --json
  # /etc/cron.d/wpstack:  17 3 * * * root wpstack edge renew`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseDays(before)
			if err != nil {
				return err
			}
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.EdgeRenew(ctx, service.EdgeRenewOptions{Before: d})
			done()
			if asJSON {
				if res == nil {
					res = []service.RenewResult{}
				}
				if perr := g.printJSON(res); perr != nil {
					return perr
				}
				return err
			}
			if len(res) == 0 && err == nil {
				fmt.Fprintln(g.stdout, "No site with --tls acme is served by the edge: nothing to renew.")
				return nil
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SITE\tRENEWED\tCERT EXPIRES")
			for _, r := range res {
				exp := "-"
				if !r.CertExpiry.IsZero() {
					exp = r.CertExpiry.UTC().Format("2006-01-02 15:04 MST")
				}
				state := yesNo(r.Renewed)
				if r.Error != "" {
					state = "FAILED"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Site, state, exp)
			}
			if ferr := tw.Flush(); ferr != nil {
				return ferr
			}
			return err
		},
	}
	c.Flags().StringVar(&before, "renew-before", "30d", "renew what expires within this time: Nd (days) or a Go duration such as 720h")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

// parseDays reads Nd or a Go duration.
func parseDays(v string) (time.Duration, error) {
	bad := fmt.Errorf("invalid --renew-before %q: give days such as 30d, or a duration such as 720h", v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 || days > 3650 {
			return 0, bad
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}
