package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newEdge(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "edge",
		Short: "The edge: one nginx in front of every site with --domain",
		Long: `The edge is one nginx container (wpstack-edge) per Docker engine that serves
every site started with --domain: it routes by Host and SNI, terminates TLS,
redirects HTTP to HTTPS and tells WordPress the scheme and the client's
address itself. The first ` + "`wpstack up SITE --domain NAME`" + ` starts it; it is
removed when the last site with a domain goes (down or destroy).`,
		Example: `  wpstack edge status
  wpstack edge logs --follow
  wpstack edge ca
  wpstack edge renew`,
	}
	c.AddCommand(newEdgeStatus(g), newEdgeLogs(g), newEdgeCA(g), newEdgeRenew(g))
	return c
}

func newEdgeStatus(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the edge: its container, ports, sites, names and certificate expiry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			st, err := svc.EdgeStatus(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(st)
			}
			fmt.Fprintf(g.stdout, "Edge %s: %s\n", st.Container, st.State)
			if st.HTTPSPort != 0 {
				fmt.Fprintf(g.stdout, "  Ports:   HTTP %d, HTTPS %d\n", st.HTTPPort, st.HTTPSPort)
			}
			if st.Image != "" {
				fmt.Fprintf(g.stdout, "  Image:   %s\n", st.Image)
			}
			fmt.Fprintf(g.stdout, "  Local CA: %s\n", st.CAFile)
			if len(st.Sites) == 0 {
				fmt.Fprintln(g.stdout, "No site has a domain.")
				return nil
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SITE\tSERVING\tTLS\tCERT EXPIRES\tDOMAINS")
			for _, s := range st.Sites {
				exp := "-"
				if !s.CertExpiry.IsZero() {
					exp = s.CertExpiry.UTC().Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\n", s.Name, yesNo(s.Serving), s.TLS, exp, strings.Join(s.Domains, " "))
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return c
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newEdgeLogs(g *globals) *cobra.Command {
	var o service.EdgeLogsOptions
	c := &cobra.Command{
		Use:     "logs",
		Short:   "Show the edge's logs (one access line per request, and nginx's errors)",
		Example: "  wpstack edge logs --tail 100\n  wpstack edge logs --follow",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			o.Out = g.stdout
			return svc.EdgeLogs(cmd.Context(), o)
		},
	}
	c.Flags().BoolVarP(&o.Follow, "follow", "f", false, "keep streaming new lines")
	c.Flags().StringVar(&o.Tail, "tail", "all", "number of lines from the end, or all")
	return c
}

func newEdgeCA(g *globals) *cobra.Command {
	var pathOnly bool
	c := &cobra.Command{
		Use:   "ca",
		Short: "Show where the local CA's root certificate is, and how to trust it",
		Long: `Sites started with --tls local get a certificate from wpstack's own CA, made
once per state directory (ECDSA P-256, valid ten years; its key never leaves
the state directory). Browsers and tools trust those sites once they trust
the CA's root certificate. With --path, print only the file's path.`,
		Example: "  wpstack edge ca\n  curl --cacert \"$(wpstack edge ca --path)\" https://shop.test/",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			file, err := svc.EdgeCA()
			if err != nil {
				return err
			}
			if pathOnly {
				fmt.Fprintln(g.stdout, file)
				return nil
			}
			fmt.Fprintf(g.stdout, `Local CA root certificate: %s

Trust it on this machine:
  Debian/Ubuntu (curl, wget, PHP...):
    sudo cp %s /usr/local/share/ca-certificates/wpstack-local-ca.crt
    sudo update-ca-certificates
  Chromium/Chrome (NSS database of your user):
    certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n wpstack -i %s
  Firefox:
    Settings → Privacy & Security → Certificates → View Certificates →
    Authorities → Import…, choose the file, tick "Trust this CA to identify websites".
`, file, file, file)
			return nil
		},
	}
	c.Flags().BoolVar(&pathOnly, "path", false, "print only the root certificate's path")
	return c
}
