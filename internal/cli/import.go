package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
)

func newImport(g *globals) *cobra.Command {
	var opts service.ImportOptions
	var asJSON bool
	c := &cobra.Command{
		Use:   "import SITE --db DUMP --files WP-CONTENT [--url OLD] [--domain D | --port P] [--admin-user NAME] [--yes]",
		Short: "Bring in a site made elsewhere: an SQL dump and its wp-content",
		Long: `Make a wpstack site from a WordPress site made elsewhere (a shared host, a
compose stack, another server): its database dump and its wp-content.

--db is a plain SQL dump as mysqldump or mariadb-dump writes it, as is or
compressed (.sql, .sql.gz, .sql.zst; told by content). --files is wp-content
as a folder (or the folder holding it), a .tar, a .tar.gz or a .zip.

Both are read whole and checked before anything changes: the table prefix and
charset are found (and kept: the site is configured with the dump's prefix),
the site's old address is read from its home option (or give it with --url),
and what was found is shown: WordPress version, tables, posts, users and the
size of the uploads. A file that is not a dump, a dump without the WordPress
tables, a truncated file, or wp-content holding anything a backup restore
would refuse (paths leaving wp-content, symlinks pointing out of it, devices)
stops the import with nothing changed.

The import is then applied as a restore: every occurrence of the old address
in the database becomes the site's new one (PHP-serialized values included),
users and passwords are kept. --admin-user NAME gives that user a new
generated password, kept where ` + "`wpstack status`" + ` says. Into an existing site
(--yes), a safety backup is taken first and put back if the import fails; a
new site made for a failed import is removed. An interrupted import is
finished by running it again.`,
		Example: `  wpstack import blog --db dump.sql.gz --files ./wp-content
  wpstack import blog --db blog.sql.zst --files wp-content.tar.gz --url https://blog.example.com --port 8090
  wpstack import shop --db shop.sql --files wp-content.zip --domain shop.example.com --admin-user admin
  wpstack import blog --db dump.sql --files ./wp-content --yes     # replace an existing site's content`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.DB == "" || opts.Files == "" {
				return UsageError{fmt.Errorf("import needs --db and --files, e.g. `wpstack import %s --db dump.sql.gz --files ./wp-content`", args[0])}
			}
			if opts.Port != 0 && len(opts.Domains) > 0 {
				return UsageError{fmt.Errorf("give either --port or --domain, not both")}
			}
			opts.Name, opts.WpstackVersion = args[0], Version
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Import(ctx, opts)
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			printImport(g.stdout, res)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&opts.DB, "db", "", "the database dump: .sql, .sql.gz or .sql.zst")
	f.StringVar(&opts.Files, "files", "", "wp-content: a folder, .tar, .tar.gz or .zip")
	f.StringVar(&opts.URL, "url", "", "the site's old address, if its home option is not it")
	f.IntVar(&opts.Port, "port", 0, "host port of a new site (default 8080)")
	f.StringArrayVar(&opts.Domains, "domain", nil, "serve a new site under this name through the edge (repeat for more)")
	f.StringVar(&opts.AdminUser, "admin-user", "", "give this existing user a new generated password")
	f.BoolVar(&opts.Yes, "yes", false, "import into an existing site (after a safety backup)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

// printImport shows what an import or adopt found and made.
func printImport(w io.Writer, res service.ImportResult) {
	f := res.Found
	verb := "Imported into"
	if res.Created {
		verb = "Imported as new site"
	}
	fmt.Fprintf(w, "%s %q at %s in %.1fs\n", verb, res.Name, res.URL, res.Duration.Seconds())
	fmt.Fprintf(w, "  WordPress: %s (db_version %s)\n", f.WordPressVersion, f.DBVersion)
	fmt.Fprintf(w, "  database:  %d tables, prefix %s, charset %s (%s), %.1f MB\n", f.Tables, f.Prefix, f.Charset, f.Collation, float64(f.Bytes)/1e6)
	fmt.Fprintf(w, "  content:   %d posts, %d users\n", f.Posts, f.Users)
	fmt.Fprintf(w, "  files:     %d (%.1f MB), of which uploads %d (%.1f MB)\n", f.Files, float64(f.FileBytes)/1e6, f.Uploads, float64(f.UploadsBytes)/1e6)
	if res.RewroteFrom != "" {
		fmt.Fprintf(w, "  URLs rewritten from %s\n", res.RewroteFrom)
	}
	if res.SafetyBackup != "" {
		fmt.Fprintf(w, "  the site as it was before: %s\n", res.SafetyBackup)
	}
	if res.AdminUser != "" {
		fmt.Fprintf(w, "  %s has a new password, in %s; every other user kept theirs\n", res.AdminUser, res.AdminPasswordFile)
	} else {
		fmt.Fprintln(w, "  users and passwords are the original site's: log in with those")
	}
}
