package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/service"
	"github.com/wpstack/wpstack/internal/site"
)

func newUp(g *globals) *cobra.Command {
	var spec site.Spec
	var asJSON bool
	c := &cobra.Command{
		Use:   "up SITE",
		Short: "Create or start a site and wait until it serves",
		Long: `Create a WordPress site, or bring an existing one back, and wait until its
home page answers with its title.

The first run builds what is missing (base image, web and db images) with
progress, generates the site's secrets (database passwords, WordPress keys and
salts, admin password) into files readable by you alone, starts a web and a
database container on a private network (the database is never published),
installs WordPress and prints the URL, the admin user and the file holding
the admin password.

Running it again is safe: what is already right is left alone, what is
missing is made, a stopped site is started. Ctrl-C leaves nothing that the
next run cannot finish.

WordPress sources (--wordpress-source):
  (empty)            the official latest release when wordpress.org answers, else debian
  debian             the tree of Debian's wordpress package, works offline
  https://...        an official release archive; its published checksum is verified
  PATH.zip|.tar.gz   a local release archive
  DIR                a local WordPress tree`,
		Example: `  wpstack up blog
  wpstack up blog --port 8080 --title "My Blog" --admin-user admin --admin-email me@example.com
  wpstack up shop --port 8081 --wordpress-source debian`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Name = args[0]
			svc, err := g.service()
			if err != nil {
				return err
			}
			r, err := newRenderer(g.progress, g.stderr)
			if err != nil {
				return err
			}
			ctx := events.WithSink(cmd.Context(), r)
			res, err := svc.Up(ctx, service.UpOptions{Spec: spec})
			r.finish()
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			verb := "is up"
			if res.Created {
				verb = "is ready"
			}
			fmt.Fprintf(g.stdout, "\nSite %q %s (%.1fs)\n", res.Name, verb, res.Duration.Seconds())
			fmt.Fprintf(g.stdout, "  URL:            %s\n", res.URL)
			fmt.Fprintf(g.stdout, "  Admin:          %swp-admin/\n", res.URL)
			fmt.Fprintf(g.stdout, "  Admin user:     %s\n", res.AdminUser)
			fmt.Fprintf(g.stdout, "  Password file:  %s\n", res.AdminPasswordFile)
			fmt.Fprintf(g.stdout, "  WordPress:      %s (%s)\n", res.WordPressVersion, res.WordPressSource)
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&spec.Port, "port", 0, fmt.Sprintf("host port the site is published on (default %d)", site.DefaultPort))
	f.StringVar(&spec.Host, "host", "", "host name in the site's URL (default localhost)")
	f.StringVar(&spec.Bind, "bind", "", "host address to publish on (default all addresses)")
	f.StringVar(&spec.Title, "title", "", "site title (default: the site name)")
	f.StringVar(&spec.AdminUser, "admin-user", "", "WordPress admin user name (default admin)")
	f.StringVar(&spec.AdminEmail, "admin-email", "", "WordPress admin e-mail (default admin@example.com, or admin@HOST)")
	f.StringVar(&spec.Layout, "layout", "", "split: web and db containers (default)")
	f.StringVar(&spec.WordPressSource, "wordpress-source", "", "where WordPress comes from: debian, an https URL, a .zip/.tar.gz or a folder")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
