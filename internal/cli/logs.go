package cli

import (
	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newLogs(g *globals) *cobra.Command {
	var o service.LogsOptions
	c := &cobra.Command{
		Use:   "logs SITE",
		Short: "Show a site's logs (every service, or one)",
		Long: `Show the logs of a site's containers: web and db (and backup, when backups
are scheduled) in the split layout, the one allinone container otherwise,
whose lines already start with the process they came from (mariadbd |,
apache2 |, backup |). With several services, each line starts with the
service it came from. --follow keeps streaming until Ctrl-C.`,
		Example: "  wpstack logs blog\n  wpstack logs blog --service web --follow --tail 50",
		Args:    exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			o.Name = args[0]
			o.Out = g.stdout
			return svc.Logs(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.Service, "service", "", "only this service: web, db or backup (split layout), allinone (all-in-one layout)")
	c.Flags().BoolVarP(&o.Follow, "follow", "f", false, "keep streaming new lines")
	c.Flags().StringVar(&o.Tail, "tail", "all", "number of lines from the end, or all")
	return c
}
