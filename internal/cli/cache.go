package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCache(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "cache",
		Short: "The edge's full-page cache of a site with --domain: purge it, see how it does",
		Long: `A site with --domain and --cache on has its anonymous pages served by the
edge's cache. WordPress purges what changes itself (the web image's purge
plugin: posts and pages published, updated or trashed, approved comments);
wpstack cache purge is for the rest: after an edit outside WordPress, or to
start cold.`,
		Example: `  wpstack cache purge blog              # every page of blog
  wpstack cache purge blog /about/      # one page (path and query as requested)
  wpstack cache status blog
  wpstack cache status blog --json`,
	}
	c.AddCommand(newCachePurge(g), newCacheStatus(g))
	return c
}

func newCachePurge(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "purge SITE [PATH]",
		Short: "Drop a site's pages (or the one at PATH) from the edge's cache",
		Example: `  wpstack cache purge blog
  wpstack cache purge blog /2024/05/hello/
  wpstack cache purge blog '/?p=12' --json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 2 {
				path = args[1]
			}
			svc, err := g.service()
			if err != nil {
				return err
			}
			n, err := svc.CachePurge(cmd.Context(), args[0], path)
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(map[string]any{"site": args[0], "path": path, "purged": n})
			}
			what := "every page"
			if path != "" {
				what = path
			}
			fmt.Fprintf(g.stdout, "Purged %s of %s from the edge's cache (%d cached files dropped).\n", what, args[0], n)
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func newCacheStatus(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status SITE",
		Short: "Show a site's cache hits, misses and bypasses (since the edge started) and its size",
		Long: `Hits, misses and bypasses are counted from the edge's access log (every
request to one of the site's names over HTTP and HTTPS since the edge
container started; a redirect to HTTPS is a bypass). Pages and bytes are the
cache files the site holds in the edge now, and at most --cache-size of
them (the least recently used go first beyond it).`,
		Example: `  wpstack cache status blog
  wpstack cache status blog --json`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			st, err := svc.CacheStatusOf(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(st)
			}
			fmt.Fprintf(g.stdout, "Site %s: cache %s\n", st.Site, st.Cache)
			fmt.Fprintf(g.stdout, "  Requests: %d hits, %d misses, %d bypasses", st.Hits, st.Misses, st.Bypasses)
			if total := st.Hits + st.Misses; total > 0 {
				fmt.Fprintf(g.stdout, " (%.0f%% of cacheable requests served from the cache)", 100*float64(st.Hits)/float64(total))
			}
			fmt.Fprintf(g.stdout, "\n  Held:     %d pages, %d bytes of at most %s (--cache-size, %d bytes)\n", st.Pages, st.Bytes, st.Size, st.MaxBytes)
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
