package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

// printUpgradeAvailable tells the user of an older stack how to move on;
// up never does it by itself.
func printUpgradeAvailable(g *globals, res service.UpResult) {
	if res.UpgradeAvailable == "" {
		return
	}
	fmt.Fprintf(g.stdout, "  Stack:          %s; upgrade available: wpstack upgrade %s --to %s\n", res.Stack, res.Name, res.UpgradeAvailable)
}

func newUpgrade(g *globals) *cobra.Command {
	var to string
	var asJSON bool
	c := &cobra.Command{
		Use:   "upgrade SITE",
		Short: "Move a site to a newer stack (Debian, WordPress, PHP, MariaDB), rolling back on failure",
		Long: `Move a running site to a newer stack in place. Stacks:

  trixie     Debian 13: WordPress 6.8, PHP 8.4, MariaDB 11.8 (new sites get it)
  bookworm   Debian 12: WordPress 6.1, PHP 8.2, MariaDB 10.11

up never changes a site's stack; it says when an upgrade is available.
Both layouts upgrade (an all-in-one site's one container runs the same
MariaDB upgrade as the db image). The steps, each shown as it runs:

  1. a safety backup (as wpstack backup makes, kept in the site's backup folder)
  2. the new stack's images, built while the site still serves
  3. the site stops; its database and WordPress files are copied into
     volumes of their own (<site>_db-pre-upgrade, <site>_html-pre-upgrade)
  4. the new images start: MariaDB upgrades the data directory
     (MARIADB_AUTO_UPGRADE: the system tables are dumped into it first,
     then mariadb-upgrade), the web image upgrades the core in place, and
     WordPress's database upgrade runs
  5. health checks: every service healthy on its new image, the home page
     served by the new core

If any step after the site stopped fails, the site rolls itself back: the
copies of its data are put back and its old images started again. The error
says which step failed. The copies are removed once the site serves again;
the safety backup stays.`,
		Example: `  wpstack upgrade legacy
  wpstack upgrade legacy --to trixie
  wpstack upgrade legacy --json`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Upgrade(ctx, service.UpgradeOptions{Name: args[0], To: to, WpstackVersion: Version})
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			fmt.Fprintf(g.stdout, "\nSite %q upgraded from %s to %s (%.1fs)\n", res.Name, res.From.Stack, res.To.Stack, res.Duration.Seconds())
			fmt.Fprintf(g.stdout, "  URL:            %s\n", res.URL)
			fmt.Fprintf(g.stdout, "  WordPress:      %s -> %s\n", orDash(res.From.WordPressVersion), orDash(res.To.WordPressVersion))
			fmt.Fprintf(g.stdout, "  PHP:            %s -> %s\n", orDash(res.From.PHPVersion), orDash(res.To.PHPVersion))
			fmt.Fprintf(g.stdout, "  MariaDB:        %s -> %s\n", orDash(res.From.MariaDBVersion), orDash(res.To.MariaDBVersion))
			fmt.Fprintf(g.stdout, "  Safety backup:  %s\n", res.SafetyBackup)
			return nil
		},
	}
	c.Flags().StringVar(&to, "to", "", "the stack to move to: trixie (default: the newest)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

// printStack is status's line about the site's stack.
func printStack(g *globals, name string, st service.StackStatus) {
	fmt.Fprintf(g.stdout, "  stack %s: PHP %s, MariaDB %s", st.Stack, orDash(st.PHPVersion), orDash(st.MariaDBVersion))
	if st.UpgradeAvailable != "" {
		fmt.Fprintf(g.stdout, "; upgrade available: wpstack upgrade %s --to %s", name, st.UpgradeAvailable)
	}
	fmt.Fprintln(g.stdout)
}
