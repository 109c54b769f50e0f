package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newMail(g *globals) *cobra.Command {
	var o service.MailOptions
	var asJSON bool
	c := &cobra.Command{
		Use:   "mail SITE",
		Short: "List the mail a site sent (kept in its mailbox when it has no SMTP relay)",
		Long: `Without --smtp, a site's outgoing mail (password resets, notifications...)
is not sent anywhere: every message WordPress sends is kept in the site's
mailbox, a volume of its own (on a swarm, a folder in wp-content on the
shared storage, for the replicas of every node), so none is lost. This
lists them (oldest first: number, date, recipient, subject); --show N
prints message N whole, headers and body, as it was handed to sendmail.

With --smtp HOST:PORT on up, mail goes through that relay instead (msmtp
logs each message on the web service's output: wpstack logs SITE).`,
		Example: "  wpstack mail blog\n  wpstack mail blog --show 3\n  wpstack mail blog --json",
		Args:    exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Show < 0 {
				return fmt.Errorf("--show %d: give a message's number from the list (1 is the oldest)", o.Show)
			}
			svc, err := g.service()
			if err != nil {
				return err
			}
			res, err := svc.Mail(cmd.Context(), args[0], o)
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			if o.Show > 0 {
				_, err := fmt.Fprint(g.stdout, res.Message)
				return err
			}
			if res.Relay != "" {
				fmt.Fprintf(g.stdout, "Site %q sends its mail through %s; the messages below were kept before.\n", res.Site, res.Relay)
			}
			if len(res.Messages) == 0 {
				fmt.Fprintf(g.stdout, "The mailbox of site %q is empty.\n", res.Site)
				return nil
			}
			w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "N\tDATE\tTO\tSUBJECT")
			for _, m := range res.Messages {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.N, m.Date.Local().Format("2006-01-02 15:04:05"), m.To, m.Subject)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "\nRead one with: wpstack mail %s --show N\n", res.Site)
			return nil
		},
	}
	c.Flags().IntVar(&o.Show, "show", 0, "print message N whole (1 is the oldest)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
