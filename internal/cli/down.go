package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newDown(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "down SITE",
		Short: "Stop a site and remove its containers; data and secrets stay",
		Long: `Stop a site's containers (web first) and remove them and the site's network.
The database, the WordPress files and the secrets stay: ` + "`wpstack up SITE`" + ` brings
the same site back with the same content and the same admin password.`,
		Example: "  wpstack down blog && wpstack up blog",
		Args:    exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			err = svc.Down(ctx, service.DownOptions{Name: args[0]})
			done()
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "Site %q is down; its data is kept. Bring it back with: wpstack up %s\n", args[0], args[0])
			return nil
		},
	}
}

func newDestroy(g *globals) *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "destroy SITE --yes",
		Short: "Delete a site: containers, network, volumes (its data) and secrets",
		Long: `Delete everything wpstack made for one site: its containers, its network, its
volumes (the database and the WordPress files) and its secrets and spec.
Nothing of any other site, and no image, is touched. This cannot be undone,
so it needs --yes.

A site made with --data-dir keeps its host folder: wpstack never deletes a
folder of yours. It says where it is; delete it yourself when you are sure.`,
		Example: "  wpstack destroy blog --yes",
		Args:    exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			err = svc.Destroy(ctx, service.DestroyOptions{Name: args[0], Yes: yes})
			done()
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "Site %q destroyed.\n", args[0])
			return nil
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "confirm that the site and its data are to be deleted")
	return c
}
