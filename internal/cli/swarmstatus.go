package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/wpstack/wpstack/internal/service"
)

// printCluster prints a swarm site's services: replicas per node, update
// state, and where the database is pinned.
func printCluster(w io.Writer, s service.SiteStatus) {
	c := s.Cluster
	fmt.Fprintf(w, "  swarm of %d nodes; db pinned to node %s (label %s=true)\n", c.Nodes, orDash(c.DBNode), c.DBLabel)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SERVICE\tMODE\tRUNNING\tPER NODE\tUPDATE\tIMAGE")
	for _, sv := range c.Services {
		fmt.Fprintf(tw, "  %s\t%s\t%d/%d\t%s\t%s\t%s\n", sv.Name, sv.Mode, sv.Running, sv.Desired, perNode(sv.PerNode), orDash(sv.UpdateState), orDash(sv.Image))
	}
	tw.Flush()
	fmt.Fprintf(w, "  admin: %s, password in %s\n", s.AdminUser, s.AdminPasswordFile)
}

func perNode(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ",")
}
