package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/service"
)

func newImages(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "images",
		Short: "Build and list wpstack/wordpress and wpstack/mariadb for your own compose files",
		Long: `wpstack's images speak the environment of the official wordpress and
mariadb/mysql images, so a compose file written for those runs with
image: wpstack/wordpress and image: wpstack/mariadb. docs/images.md lists
every variable, its default and what differs from the official images.`,
		Example: `  wpstack images build
  wpstack images list
  # then, in a compose file written for the official images:
  #   image: wpstack/wordpress     (instead of wordpress)
  #   image: wpstack/mariadb       (instead of mariadb or mysql:5.7)`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return UsageError{fmt.Errorf("%s needs a subcommand: build or list (see %s --help)", c.CommandPath(), c.CommandPath())}
		},
	}
	c.AddCommand(newImagesBuild(g), newImagesList(g))
	return c
}

func newImagesBuild(g *globals) *cobra.Command {
	var opts service.ImagesBuildOptions
	var asJSON bool
	c := &cobra.Command{
		Use:   "build",
		Short: "Build wpstack/wordpress:<version> and wpstack/mariadb:<version> (and :latest)",
		Long: `Build the web and database images offline (or reuse them when their recipe
is unchanged) and tag them as:

  wpstack/wordpress:<wordpress-version>  and  wpstack/wordpress:latest
  wpstack/mariadb:<mariadb-version>      and  wpstack/mariadb:latest

These are the images 'wpstack up' runs; tagged this way, any compose file
written for the official images can use them.`,
		Example: `  wpstack images build
  wpstack images build --wordpress-source debian
  wpstack images build --stack bookworm
  wpstack images build --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			start := time.Now()
			res, err := svc.ImagesBuild(ctx, opts)
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			fmt.Fprintf(g.stdout, "\nImages ready (%.1fs), WordPress from %s:\n", time.Since(start).Seconds(), res.WordPressSource)
			for _, p := range res.Images {
				fmt.Fprintf(g.stdout, "  %s\n", strings.Join(p.Tags, "  "))
			}
			fmt.Fprintln(g.stdout, "\nUse them in a compose file: image: wpstack/wordpress, image: wpstack/mariadb")
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&opts.WordPressSource, "wordpress-source", "", "where WordPress comes from: debian, an https URL, a .zip/.tar.gz or a folder")
	f.BoolVar(&opts.NoCache, "no-cache", false, "rebuild even when images with the same recipe exist")
	f.StringVar(&opts.Stack, "stack", "", "the Debian stack: trixie (WordPress 6.8, PHP 8.4, MariaDB 11.8; default) or bookworm (WordPress 6.1, PHP 8.2, MariaDB 10.11)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func newImagesList(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List the wpstack/wordpress and wpstack/mariadb images on the engine",
		Example: `  wpstack images list
  wpstack images list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			list, err := svc.ImagesList(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				if list == nil {
					list = []images.PublicImage{}
				}
				return g.printJSON(list)
			}
			if len(list) == 0 {
				fmt.Fprintln(g.stdout, "No wpstack/wordpress or wpstack/mariadb image yet. Build them with: wpstack images build")
				return nil
			}
			tw := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REPOSITORY\tVERSION\tTAGS\tID\tSIZE\tCREATED")
			for _, p := range list {
				id := strings.TrimPrefix(p.ID, "sha256:")
				if len(id) > 12 {
					id = id[:12]
				}
				var tags []string
				for _, t := range p.Tags {
					tags = append(tags, strings.TrimPrefix(t, p.Repository+":"))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dMB\t%s\n", p.Repository, orDash(p.Version), strings.Join(tags, ","), id,
					p.Size/1e6, time.Unix(p.Created, 0).UTC().Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}
