package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/service"
)

func newExport(g *globals) *cobra.Command {
	var (
		opts   service.ExportOptions
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "export SITE --format compose|stack|dir -o PATH",
		Short: "Write a site as plain compose, stack or build files that run without wpstack",
		Long: `Write a site as the files a Docker user already knows, from the same plan
` + "`wpstack up`" + ` applies. Nothing locks you in.

  --format compose   one compose file using the site's images. Runs with
                     docker-compose 1.29 or Compose v2 (the header says how);
                     stop the site with ` + "`wpstack down`" + ` first, as its port is taken.
  --format stack     one file for ` + "`docker stack deploy`" + `: web replicas with
                     start-first rolling updates that roll back by themselves,
                     the database pinned to one node, an overlay network,
                     swarm secrets. --endpoint-mode picks vip or dnsrr
                     (default dnsrr: works on kernels without IPVS).
  --format dir       a new folder: the Dockerfiles and build contexts wpstack
                     builds its images from (recipes, the wpstack PID 1
                     binary, the WordPress tree), compose.yaml with build:
                     sections, a manifest with the WordPress source and its
                     checksums, and a README explaining each file.
                     ` + "`docker-compose up --build`" + ` there needs no wpstack.

The files name the site's volumes (its existing data is reused and declared
external when it exists) and its secret files by path: no secret value is
ever written. Every file is loaded back with compose-go before it is written.
-o - writes a compose or stack file to stdout.

A site with --domain: the compose and dir exports carry the edge, a service
"edge" running nginx from the recipe of wpstack's edge (dir: built from
./edge-nginx) with the configuration wpstack's edge serves the site with,
publishing --http-port and --https-port. That nginx.conf, the site's
certificate and its private key are written as files (0600) to
$WPSTACK_HOME/sites/SITE/edge-export/, mounted read-only: never into the
export, never to stdout. wpstack down the sites with domains first (wpstack's
edge holds the ports). A stack export of such a site is refused: a stack's
edge does not serve domains.`,
		Example: `  wpstack export blog --format compose -o compose.yaml
  wpstack down blog && docker-compose -f compose.yaml -p blog up -d

  wpstack export blog --format stack -o stack.yaml --endpoint-mode dnsrr
  docker stack deploy -c stack.yaml blog

  wpstack export blog --format dir -o ./blog-eject
  cd blog-eject && docker-compose -p blog up -d --build

  wpstack export shop --format compose -o shop.yaml      # shop has --domain shop.test
  wpstack down shop && docker-compose -f shop.yaml -p shop up -d`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if !slices.Contains(plan.Formats, opts.Format) {
				return UsageError{fmt.Errorf("format %q: give --format %s", opts.Format, strings.Join(plan.Formats, ", --format "))}
			}
			if opts.Output == "" {
				return UsageError{fmt.Errorf("no output: give -o FILE (compose, stack; - for stdout) or -o NEW-FOLDER (dir)")}
			}
			svc, err := g.service()
			if err != nil {
				return err
			}
			progress := g.progress
			if opts.Output == "-" && progress == "auto" {
				progress = "plain" // stdout carries the file
			}
			r, err := newRenderer(progress, g.stderr)
			if err != nil {
				return err
			}
			res, err := svc.Export(events.WithSink(cmd.Context(), r), opts)
			r.finish()
			if err != nil {
				return err
			}
			switch {
			case res.Data != nil:
				_, err = g.stdout.Write(res.Data)
				return err
			case asJSON:
				return g.printJSON(res)
			}
			fmt.Fprintf(g.stdout, "Wrote %s (%s).\n", res.Path, res.Format)
			if res.ExternalVolumes {
				fmt.Fprintln(g.stdout, "The site's existing volumes are declared external: their data is used, never removed.")
			}
			fmt.Fprintf(g.stdout, "Run it without wpstack: %s\n", res.Run)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Format, "format", "", "what to write: compose, stack or dir")
	f.StringVarP(&opts.Output, "output", "o", "", "the file to write (compose, stack; - for stdout) or the new folder (dir)")
	f.StringVar(&opts.EndpointMode, "endpoint-mode", "", "stack only: how swarm balances a service, vip or dnsrr (default dnsrr)")
	f.BoolVar(&asJSON, "json", false, "print what was written as JSON")
	return c
}
