package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newAdopt(g *globals) *cobra.Command {
	var opts service.AdoptOptions
	var asJSON bool
	c := &cobra.Command{
		Use:   "adopt COMPOSE_FILE | --project NAME [--as SITE] (--port P | --domain D)",
		Short: "Make a wpstack site of a compose deployment of the official wordpress image",
		Long: `Read a docker-compose deployment of the official wordpress image with mysql or
mariadb — the course's step 7 and step 8 stacks, on named or anonymous volumes
or host folders — from its compose file or, with --project alone, from the
containers carrying its compose project label. Then:

- dump its database through the database container (mariadb-dump or
  mysqldump, with the credentials of the wordpress service's WORDPRESS_DB_*
  variables); a stopped database container is started alone for the dump
  and stopped again;
- copy its wp-content out of the web container (running or stopped);
- import both into a new wpstack site, as ` + "`wpstack import`" + ` does: same
  content, users and passwords, table prefix kept, URLs rewritten to the new
  site's address (--port or --domain).

The original deployment is left as it was and keeps serving; the output says
how to remove it once the new site is what you want. A stack adopt does not
recognise (another image, several WordPress services, a database outside the
stack) is refused with what was recognised and what was not.`,
		Example: `  wpstack adopt ./stack_wordpress.yml --as blog --port 8090
  wpstack adopt ./stack_wordpress.yml --project wordpress --as blog --domain blog.example.com
  wpstack adopt --project myblog --port 8090 --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return UsageError{fmt.Errorf("adopt takes one compose file, e.g. `wpstack adopt ./stack_wordpress.yml --port 8090`")}
			case len(args) == 1:
				opts.File = args[0]
			case opts.Project == "":
				return UsageError{fmt.Errorf("adopt needs a compose file or --project NAME, e.g. `wpstack adopt ./stack_wordpress.yml --port 8090`")}
			}
			if opts.Port != 0 && len(opts.Domains) > 0 {
				return UsageError{fmt.Errorf("give either --port or --domain, not both")}
			}
			opts.WpstackVersion = Version
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Adopt(ctx, opts)
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			fmt.Fprintf(g.stdout, "Adopted compose project %q (%s, %s)\n", res.Stack.Project, res.Stack.Web.Image, res.Stack.DB.Image)
			printImport(g.stdout, res.ImportResult)
			fmt.Fprintf(g.stdout, "The original still runs, untouched. Once the new site is what you want, remove it with:\n  %s\n", res.Remove)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Project, "project", "", "the compose project's name (default: from the compose file's folder, as docker-compose names it)")
	f.StringVar(&opts.As, "as", "", "the new site's name (default: the project's)")
	f.IntVar(&opts.Port, "port", 0, "host port of the new site")
	f.StringArrayVar(&opts.Domains, "domain", nil, "serve the new site under this name through the edge (repeat for more)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
