package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
	"github.com/wpstack/wpstack/internal/site"
)

func newClone(g *globals) *cobra.Command {
	var to site.Spec
	var asJSON bool
	c := &cobra.Command{
		Use:   "clone SITE NEW-SITE (--port N | --domain NAME...)",
		Short: "Copy a running site into a new, independent one (staging)",
		Long: `Make a full copy of a running site under a new name: a backup of SITE
(verified, without its secrets) restored into NEW-SITE, which gets its own
passwords and keys, network and volumes, and its own URL, rewritten
everywhere in the database (serialized values included).

On the copy:
- search engines are discouraged (WordPress's blog_public option is 0);
- SITE's mail relay, backup schedule and data folders are not carried over,
  so the copy sends no mail unless you configure it;
- the users and passwords are SITE's, except the admin user, who gets the
  copy's own generated password (see ` + "`wpstack status NEW-SITE`" + `).

The two sites share nothing afterwards: a post made on one never appears on
the other. SITE keeps serving throughout. If the copy cannot be finished it is
removed, and SITE is never changed.`,
		Example: `  wpstack clone blog blog-staging --port 8090
  wpstack clone blog blog-staging --domain staging.blog.example.com --tls local
  wpstack clone blog blog-staging --port 8090 --json`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 {
				return UsageError{fmt.Errorf("clone needs the site and the copy's name, e.g. `wpstack clone blog blog-staging --port 8090`")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			to.Name = args[1]
			if err := absPaths(&to.CertFile, &to.KeyFile); err != nil {
				return err
			}
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Clone(ctx, service.CloneOptions{From: args[0], To: to, WpstackVersion: Version})
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			fmt.Fprintf(g.stdout, "\nSite %q is a copy of %q (%.1fs)\n", res.Name, res.From, res.Duration.Seconds())
			fmt.Fprintf(g.stdout, "  URL:            %s\n", res.URL)
			fmt.Fprintf(g.stdout, "  Admin:          %swp-admin/ (password: see `wpstack status %s`)\n", res.URL, res.Name)
			fmt.Fprintln(g.stdout, "  Search engines: discouraged (Settings > Reading)")
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&to.Port, "port", 0, "host port the copy is published on")
	f.StringVar(&to.Host, "host", "", "host name in the copy's URL (default localhost)")
	f.StringVar(&to.Bind, "bind", "", "host address to publish on (default all addresses)")
	f.StringArrayVar(&to.Domains, "domain", nil, "serve the copy under this name through the edge (repeat for more)")
	f.StringVar(&to.TLS, "tls", "", "with --domain: local (default) or cert (--cert and --key)")
	f.StringVar(&to.CertFile, "cert", "", "with --tls cert: the copy's certificate, PEM")
	f.StringVar(&to.KeyFile, "key", "", "with --tls cert: its private key, PEM")
	f.IntVar(&to.HTTPPort, "http-port", 0, "with --domain: the edge's HTTP host port (default 80)")
	f.IntVar(&to.HTTPSPort, "https-port", 0, "with --domain: the edge's HTTPS host port (default 443)")
	f.StringVar(&to.Cache, "cache", "", "with --domain: on (default) or off")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
