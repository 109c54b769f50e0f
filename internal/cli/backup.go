package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/service"
	"github.com/wpstack/wpstack/internal/site"
)

func newBackup(g *globals) *cobra.Command {
	var out, every string
	var keep int
	var asJSON, withSecrets bool
	c := &cobra.Command{
		Use:   "backup SITE [-o FILE] | backup SITE --every DURATION [--keep N]",
		Short: "Back up a running site: database and wp-content in one verified file",
		Long: `Write one file holding a consistent dump of the site's database (taken in a
single transaction while the site keeps serving) and its wp-content, with a
manifest: wpstack and WordPress versions, database charset and collation,
table count, site URL, creation time and the SHA-256 of every member.

The file is written under a hidden temporary name, flushed to disk and only
then given its name: an interrupted backup never leaves a file that looks
complete. No secret is put in the archive unless --include-secrets asks for
it: then the site's database passwords, admin password and WordPress keys and
salts are stored in clear, and a restore into a new site name adopts them
(same logins, sessions stay valid). Keep such a file as safe as a password.

Without -o the file goes to $WPSTACK_HOME/backups/SITE/ (kept when the site is
destroyed), where ` + "`wpstack backup list SITE`" + ` finds it.

With --every, backups are scheduled instead: a "backup" service joins the
site's own stack (it comes back with ` + "`wpstack up`" + `), takes a backup at start and
then at every interval into the site's backups volume (or DATA_DIR/backups with
--data-dir), and keeps the newest --keep (default 7). A failed run marks the
site degraded in ` + "`wpstack status`" + `, with the reason. --every off removes the
schedule (the backups made stay). The volume is deleted with the site on
` + "`wpstack destroy`" + `: copy out what you want to keep (docker cp SITE-backup-1:/backups/FILE .).
In the all-in-one layout the loop runs inside the one container (docker cp
SITE-allinone-1:/backups/FILE .); on a swarm, as a service on the database's
node (docker cp from its task there).

A swarm site (DOCKER_HOST pointing at a manager) is backed up now like a local
one: a short-lived data job on that manager reads the database over the
site's network and wp-content from its shared storage, and the archive comes
back over the Engine API (see docs/swarm.md).`,
		Example: `  wpstack backup blog
  wpstack backup blog -o blog-2026-11-26.wpbackup
  wpstack backup blog -o blog-dr.wpbackup --include-secrets
  wpstack backup verify blog-2026-11-26.wpbackup
  wpstack backup list blog
  wpstack restore blog blog-2026-11-26.wpbackup
  wpstack backup blog --every 24h --keep 7
  wpstack backup blog --every off
  DOCKER_HOST=ssh://manager wpstack backup blog -o blog.wpbackup    # a swarm site`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			if every == "" && cmd.Flags().Changed("keep") {
				return UsageError{fmt.Errorf("--keep goes with --every, e.g. `wpstack backup %s --every 24h --keep 7`", args[0])}
			}
			if every != "" && withSecrets {
				return UsageError{fmt.Errorf("--include-secrets goes with a backup made now, not with --every: scheduled backups never hold secrets")}
			}
			if every != "" && out != "" {
				return UsageError{fmt.Errorf("-o writes one backup now; scheduled backups go to the site's backups volume: use either -o or --every")}
			}
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			if every != "" {
				_, err := svc.Schedule(ctx, service.ScheduleOptions{Name: args[0], Every: every, Keep: keep})
				done()
				if err != nil {
					return err
				}
				if every == "off" {
					fmt.Fprintf(g.stdout, "Scheduled backups of %q are off; the backups already made stay in its backups volume.\n", args[0])
					return nil
				}
				if keep == 0 {
					keep = site.DefaultBackupKeep
				}
				fmt.Fprintf(g.stdout, "Site %q is backed up every %s inside its stack (service %q), keeping the last %d.\n", args[0], every, site.ServiceBackup, keep)
				fmt.Fprintf(g.stdout, "Failures show in: wpstack status %s. List them with: wpstack backup list %s\n", args[0], args[0])
				return nil
			}
			res, err := svc.Backup(ctx, service.BackupOptions{Name: args[0], Output: out, WpstackVersion: Version, IncludeSecrets: withSecrets})
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			raw := res.Manifest.DataBytes()
			fmt.Fprintf(g.stdout, "Backup of %q written to %s\n", args[0], res.Path)
			fmt.Fprintf(g.stdout, "  size:     %.1f MB (%.1f MB of data, %d tables, %d files)\n", float64(res.Size)/1e6, float64(raw)/1e6, res.Manifest.Tables, res.Manifest.Files())
			fmt.Fprintf(g.stdout, "  sha256:   %s\n", res.SHA256)
			fmt.Fprintf(g.stdout, "  duration: %.1fs (%.1f MB/s)\n", res.Duration.Seconds(), float64(raw)/1e6/max(res.Duration.Seconds(), 0.001))
			if res.Manifest.IncludesSecrets {
				fmt.Fprintf(g.stderr, "WARNING: %s holds the site's passwords and keys IN CLEAR (%s).\n         Anyone who reads it can log in and reach the database: keep it as safe as a password.\n", res.Path, strings.Join(res.Manifest.Secrets(), ", "))
			}
			return nil
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "file to write (default: $WPSTACK_HOME/backups/SITE/SITE-TIME.wpbackup)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	c.Flags().BoolVar(&withSecrets, "include-secrets", false, "also store the site's passwords and keys, in clear (a restore into a new site adopts them)")
	c.Flags().StringVar(&every, "every", "", "schedule backups at this interval inside the site's stack (e.g. 24h, 6h); off to stop")
	c.Flags().IntVar(&keep, "keep", 0, "with --every: how many scheduled backups to keep (default 7)")
	c.AddCommand(newBackupVerify(g), newBackupList(g))
	return c
}

func newBackupVerify(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a backup file without touching any site",
		Long: `Read the whole file and check every member's SHA-256 and size against the
manifest. A truncated, corrupted or foreign file is refused with the reason.`,
		Example: "  wpstack backup verify blog-2026-11-26.wpbackup",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return UsageError{fmt.Errorf("backup verify needs exactly one file, e.g. `wpstack backup verify blog.wpbackup`")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			m, err := svc.VerifyBackup(ctx, args[0])
			done()
			if err != nil {
				return err
			}
			// Every text field comes from the file: shown with control
			// characters (terminal escapes) escaped.
			secrets := m.SecretsPrintable()
			m = m.Printable()
			fmt.Fprintf(g.stdout, "%s is a valid backup of site %q\n", args[0], m.Site)
			fmt.Fprintf(g.stdout, "  created:   %s by wpstack %s\n", m.Created.Format("2006-01-02 15:04:05 MST"), m.WpstackVersion)
			fmt.Fprintf(g.stdout, "  site URL:  %s, WordPress %s\n", m.SiteURL, m.WordPressVersion)
			fmt.Fprintf(g.stdout, "  database:  %d tables, %s / %s\n", m.Tables, m.DBCharset, m.DBCollation)
			fmt.Fprintf(g.stdout, "  data:      %.1f MB in %d members (%d files), every checksum matches\n", float64(m.DataBytes())/1e6, m.Count(), m.Files())
			if m.IncludesSecrets {
				fmt.Fprintf(g.stdout, "  secrets:   INCLUDED, in clear (%s)\n", strings.Join(secrets, ", "))
			} else {
				fmt.Fprintf(g.stdout, "  secrets:   none (a restore keeps or generates the site's own)\n")
			}
			return nil
		},
	}
}

func newBackupList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list SITE",
		Short:   "List a site's backups in its backup folder",
		Example: "  wpstack backup list blog",
		Args:    exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := g.service()
			if err != nil {
				return err
			}
			list, err := svc.ListBackups(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			scheduled, err := svc.ScheduledList(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			for _, p := range scheduled {
				fmt.Fprintf(g.stdout, "scheduled  %s\n", p)
			}
			if len(scheduled) > 0 {
				fmt.Fprintf(g.stdout, "(copy one out with: docker cp %s .)\n", scheduled[0])
			}
			if len(list) == 0 {
				fmt.Fprintf(g.stdout, "No backups of %q in %s. Make one with: wpstack backup %s\n", args[0], svc.BackupDir(args[0]), args[0])
				return nil
			}
			tw := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tSIZE\tFILE")
			for _, b := range list {
				fmt.Fprintf(tw, "%s\t%.1f MB\t%s\n", b.ModTime.Format("2006-01-02 15:04:05"), float64(b.Size)/1e6, b.Path)
			}
			return tw.Flush()
		},
	}
}

func newRestore(g *globals) *cobra.Command {
	var port int
	var asJSON bool
	c := &cobra.Command{
		Use:   "restore SITE FILE [--port N]",
		Short: "Restore a backup into a site, existing or new",
		Long: `Check the whole backup first (nothing changes if any checksum fails), then:

- into an existing site: take a safety backup of it, replace its database and
  wp-content with the backup's, and wait until it serves;
- into a new site name: create the site (on --port) and restore into it.

When the site's URL differs from the one in the backup, every occurrence of
the old URL in the database is rewritten, including inside PHP-serialized
values (their byte counts are fixed), so links and media work at the new
address. The restored site keeps the backup's users and passwords, except
that a new site's admin user gets the new site's generated password (the file
that 'wpstack status' names), so the credentials it printed are true.`,
		Example: `  wpstack restore blog blog-2026-11-26.wpbackup
  wpstack restore blog-copy blog-2026-11-26.wpbackup --port 8090
  DOCKER_HOST=ssh://manager wpstack restore blog blog.wpbackup     # a swarm site
  wpstack restore blog blog.wpbackup --json`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 {
				return UsageError{fmt.Errorf("restore needs a site name and a backup file, e.g. `wpstack restore blog blog.wpbackup`")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Restore(ctx, service.RestoreOptions{Name: args[0], File: args[1], Port: port, WpstackVersion: Version})
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			fmt.Fprintf(g.stdout, "Restored %s into site %q at %s in %.1fs (%.1f MB/s)\n", args[1], res.Name, res.URL, res.Duration.Seconds(), float64(res.Bytes)/1e6/max(res.Duration.Seconds(), 0.001))
			if res.SafetyBackup != "" {
				fmt.Fprintf(g.stdout, "  the site as it was before: %s\n", res.SafetyBackup)
			}
			if res.RewroteFrom != "" {
				fmt.Fprintf(g.stdout, "  URLs rewritten from %s\n", res.RewroteFrom)
			}
			if res.AdoptedSecrets {
				fmt.Fprintln(g.stdout, "  the new site took the backup's passwords and keys: log in as on the backed-up site")
			} else if res.Created && res.AdminReset {
				fmt.Fprintln(g.stdout, "  other users keep the backed-up site's passwords; the admin user has this site's (see `wpstack status "+res.Name+"`)")
			} else if res.Created {
				fmt.Fprintln(g.stdout, "  users and passwords are the backed-up site's: log in with those")
			}
			return nil
		},
	}
	c.Flags().IntVar(&port, "port", 0, "host port of a new site (default 8080)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
