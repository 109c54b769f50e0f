package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/service"
	"github.com/wpstack/wpstack/internal/site"
)

func newUp(g *globals) *cobra.Command {
	var spec site.Spec
	var asJSON bool
	var smtpPasswordFile, smtpCAFile string
	c := &cobra.Command{
		Use:   "up SITE",
		Short: "Create or start a site and wait until it serves",
		Long: `Create a WordPress site, or bring an existing one back, and wait until its
home page answers with its title.

The first run builds what is missing (base image, web and db images) with
progress, generates the site's secrets (database passwords, WordPress keys and
salts, admin password) into files readable by you alone, starts a web and a
database container on a private network (the database is never published),
installs WordPress and prints the URL, the admin user and the file holding
the admin password.

Running it again is safe: what is already right is left alone, what is
missing is made, a stopped site is started. Ctrl-C leaves nothing that the
next run cannot finish.

WordPress sources (--wordpress-source):
  (empty)            the official latest release when wordpress.org answers, else debian
  debian             the tree of Debian's wordpress package, works offline
  https://...        an official release archive; its published checksum is verified
  PATH.zip|.tar.gz   a local release archive
  DIR                a local WordPress tree

Stacks (--stack, a new site's only; wpstack upgrade moves an existing one):
  trixie             Debian 13: WordPress 6.8, PHP 8.4, MariaDB 11.8 (default)
  bookworm           Debian 12: WordPress 6.1, PHP 8.2, MariaDB 10.11; sites
                     made before stacks existed keep it

Layouts (--layout):
  split              a web container (Apache + PHP) and a db container (MariaDB)
  allinone           one container running both, for the smallest hosts; its
                     log lines start with the process they come from

Data (--data-dir DIR): the database goes to DIR/data_wordpress and the
WordPress files to DIR/source_code_wordpress instead of Docker volumes. The
folders are made if missing; their owners are set on first start. They
survive down, up and destroy.

Swarm (--target swarm, DOCKER_HOST pointing at a manager): the site is one
stack: web replicas behind an edge (HAProxy on every node, publishing --port
on the node itself, so no routing mesh is needed), the database pinned to the
manager's node where its volume lives, one WP-Cron runner, an overlay network
and swarm secrets. Images are built on the manager and pushed to --registry
so every node can pull them. Then: wpstack scale, update, rollback, status.

WordPress core: an update made from wp-admin is kept across down/up and image
rebuilds. When the image brings a newer core than the site's, up upgrades it
in place (the replaced core is saved in .wpstack-backup/ in the webroot) and
runs WordPress's database upgrade.

Domains and HTTPS (--domain NAME, repeatable): the site gets no port of its
own; the engine's one edge (nginx, container wpstack-edge) serves it on
--http-port (default 80) and --https-port (default 443), routing by Host and
SNI. HTTP redirects to HTTPS; the site's URL is https://FIRST-NAME/. TLS:
  --tls local        a certificate from wpstack's own CA (offline; trust its
                     root once, see wpstack edge ca); renewed by up when it
                     has under 30 days left
  --tls cert         your PEM pair (--cert FILE --key FILE), checked first:
                     the key matches, every --domain is covered, not expired
  --tls acme         from Let's Encrypt (or --acme-directory URL) over
                     HTTP-01, answered by the edge on port 80: every name
                     must point at this host and port 80 be open to the
                     internet. --acme-email is the account's contact. The
                     first certificate comes before the site is made (a
                     refusal says what the CA reported and leaves nothing);
                     renewed 30 days before expiry by up and by
                     wpstack edge renew (run it daily from a timer)
Cache (on by default with --domain; --cache off turns it off): anonymous GET
and HEAD are served from the edge's full-page cache (X-Cache: HIT, MISS or
BYPASS); logged-in users, commenters, carts, password-protected posts,
wp-admin, the login and XML-RPC never are. WordPress purges what changes
(posts, pages, approved comments; see wpstack cache). --cache-size Nm|Ng
(default 32m) bounds the site's pages in the edge's memory; the least
recently used go first. Stale pages are served while one is refreshed and
while the site's web container fails.
--www-redirect to-bare|to-www (default off): www.NAME answers 301 to NAME
(to-bare), or NAME to www.NAME (to-www), path and query kept; give both
names with --domain, the target first.
--login-rate N/m (default 10/m): POSTs to wp-login.php and xmlrpc.php per
client address; more answer 429 with Retry-After.
One name belongs to one site. The edge starts with the first site with a
domain and is removed with the last (see wpstack edge). With --target swarm
the site's stack gets an edge of its own instead: one nginx task per node on
--http-port and --https-port, its certificate and key as swarm secrets
(docs/swarm.md).

PHP (each changes the web container only): --php-memory-limit 512M,
--upload-max 64M (upload_max_filesize and post_max_size, and the edge's
body limit with --domain), --php-max-execution-time SECONDS.
Mail: without --smtp every message WordPress sends is kept in the site's
mailbox (see wpstack mail); with --smtp HOST:PORT --smtp-from ADDR
[--smtp-user U --smtp-password-file F] [--smtp-tls starttls|tls|off]
[--smtp-ca-file CA.pem] it goes through that relay by msmtp. --smtp off
goes back to the mailbox.`,
		Example: `  wpstack up blog
  wpstack up blog --port 8080 --title "My Blog" --admin-user admin --admin-email me@example.com
  wpstack up shop --port 8081 --wordpress-source debian
  wpstack up tiny --layout allinone --port 8081
  wpstack up blog --data-dir /srv/wp-blog
  DOCKER_HOST=ssh://manager wpstack up blog --target swarm --replicas 2 \
      --registry registry.example:5000 --port 8080 --shared-storage /mnt/shared/blog
  wpstack up shop --domain shop.test --domain www.shop.test --tls local
  wpstack up blog --domain blog.example.com --tls acme --acme-email me@example.com
  wpstack up wiki --domain wiki.corp --tls cert --cert /etc/ssl/wiki.pem --key /etc/ssl/wiki.key --hsts
  wpstack up blog --domain blog.test --http-port 8000 --https-port 8443 --cache off
  wpstack up blog --domain blog.test --login-rate 5/m
  wpstack up legacy --stack bookworm
  wpstack up shop --domain shop.test --domain www.shop.test --www-redirect to-bare --cache-size 128m
  wpstack up blog --php-memory-limit 512M --upload-max 64M
  wpstack up blog --smtp smtp.example.com:587 --smtp-user me --smtp-password-file ./pw --smtp-from blog@example.com`,
		Args: exactlyOneSite,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Name = args[0]
			if err := absPaths(&spec.CertFile, &spec.KeyFile); err != nil {
				return err
			}
			if spec.DataDir != "" {
				abs, err := filepath.Abs(spec.DataDir)
				if err != nil {
					return fmt.Errorf("--data-dir %s: %w", spec.DataDir, err)
				}
				spec.DataDir = abs
			}
			ctx, svc, done, err := g.start(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Up(ctx, service.UpOptions{Spec: spec, SMTPPasswordFile: smtpPasswordFile, SMTPCAFile: smtpCAFile})
			done()
			if err != nil {
				return err
			}
			if asJSON {
				return g.printJSON(res)
			}
			verb := "is up"
			if res.Created {
				verb = "is ready"
			}
			fmt.Fprintf(g.stdout, "\nSite %q %s (%.1fs)\n", res.Name, verb, res.Duration.Seconds())
			fmt.Fprintf(g.stdout, "  URL:            %s\n", res.URL)
			fmt.Fprintf(g.stdout, "  Admin:          %swp-admin/\n", res.URL)
			fmt.Fprintf(g.stdout, "  Admin user:     %s\n", res.AdminUser)
			fmt.Fprintf(g.stdout, "  Password file:  %s\n", res.AdminPasswordFile)
			fmt.Fprintf(g.stdout, "  WordPress:      %s (%s)\n", res.WordPressVersion, res.WordPressSource)
			if res.BaseOrigin != "" {
				fmt.Fprintf(g.stdout, "  Base image:     Debian %s, %s\n", res.Stack, baseOriginText(res.BaseOrigin))
			}
			printUpgradeAvailable(g, res)
			return nil
		},
	}
	f := c.Flags()
	f.IntVar(&spec.Port, "port", 0, fmt.Sprintf("host port the site is published on (default %d)", site.DefaultPort))
	f.StringVar(&spec.Host, "host", "", "host name in the site's URL (default localhost)")
	f.StringVar(&spec.Bind, "bind", "", "host address to publish on (default all addresses)")
	f.StringVar(&spec.Title, "title", "", "site title (default: the site name)")
	f.StringVar(&spec.AdminUser, "admin-user", "", "WordPress admin user name (default admin)")
	f.StringVar(&spec.AdminEmail, "admin-email", "", "WordPress admin e-mail (default admin@example.com, or admin@HOST)")
	f.StringVar(&spec.Layout, "layout", "", "split: web and db containers (default); allinone: one container")
	f.StringVar(&spec.DataDir, "data-dir", "", "keep the database and WordPress files in host folders under this folder")
	f.StringVar(&spec.WordPressSource, "wordpress-source", "", "where WordPress comes from: debian, an https URL, a .zip/.tar.gz or a folder")
	f.StringVar(&spec.Target, "target", "", "where the site runs: local (one engine, default) or swarm (DOCKER_HOST is a swarm manager)")
	f.IntVar(&spec.Replicas, "replicas", 0, "swarm: web replicas (default 1; change later with wpstack scale)")
	f.StringVar(&spec.Registry, "registry", "", "swarm: registry HOST:PORT every node pulls the site's images from (required with more than one node)")
	f.StringVar(&spec.SharedStorage, "shared-storage", "", "swarm: path mounted on every node (NFS, GlusterFS...) that holds wp-content")
	f.StringArrayVar(&spec.Domains, "domain", nil, "serve the site under this name through the edge (repeat for more; the first is its URL)")
	f.StringVar(&spec.TLS, "tls", "", "with --domain: local (wpstack's own CA, default), acme (Let's Encrypt, --acme-email) or cert (--cert and --key)")
	f.StringVar(&spec.ACMEEmail, "acme-email", "", "with --tls acme: the ACME account's contact address")
	f.StringVar(&spec.ACMEDirectory, "acme-directory", "", "with --tls acme: the ACME directory URL (default Let's Encrypt's production one)")
	f.StringVar(&spec.CertFile, "cert", "", "with --tls cert: the site's certificate, PEM (chain after it)")
	f.StringVar(&spec.KeyFile, "key", "", "with --tls cert: the certificate's private key, PEM")
	f.IntVar(&spec.HTTPPort, "http-port", 0, "with --domain: the edge's HTTP host port (default 80)")
	f.IntVar(&spec.HTTPSPort, "https-port", 0, "with --domain: the edge's HTTPS host port (default 443)")
	f.BoolVar(&spec.HSTS, "hsts", false, "with --domain: send Strict-Transport-Security (browsers then refuse plain HTTP for a year)")
	f.StringVar(&spec.Cache, "cache", "", "with --domain: on (default) serves anonymous pages from the edge's cache, purged on publish; off: every request reaches WordPress")
	f.StringVar(&spec.LoginRate, "login-rate", "", "with --domain: POSTs to wp-login.php and xmlrpc.php per client address, N/m or N/s (default 10/m; more get 429)")
	f.StringVar(&spec.Stack, "stack", "", "a new site's Debian stack: trixie (WordPress 6.8, PHP 8.4, MariaDB 11.8; default) or bookworm (WordPress 6.1, PHP 8.2, MariaDB 10.11)")
	f.StringVar(&spec.CacheSize, "cache-size", "", "with --domain: the most the edge's cache holds of the site's pages, Nm or Ng (default 32m)")
	f.StringVar(&spec.WWWRedirect, "www-redirect", "", "with --domain: to-bare (www.NAME → NAME), to-www (NAME → www.NAME) or off (default); 301, path and query kept")
	f.StringVar(&spec.PHP.MemoryLimit, "php-memory-limit", "", "PHP's memory_limit, e.g. 512M (default 256M)")
	f.StringVar(&spec.PHP.UploadMax, "upload-max", "", "largest upload, e.g. 64M: PHP's upload_max_filesize and post_max_size, and the edge's body limit (default 32M)")
	f.IntVar(&spec.PHP.MaxExecutionTime, "php-max-execution-time", 0, "PHP's max_execution_time in seconds (default 60)")
	f.StringVar(&spec.SMTP.Host, "smtp", "", "send mail through this SMTP relay, HOST:PORT (off: keep it in the site's mailbox again)")
	f.StringVar(&spec.SMTP.User, "smtp-user", "", "with --smtp: the user to log in as")
	f.StringVar(&smtpPasswordFile, "smtp-password-file", "", "with --smtp-user: a file holding the password (copied into the site's secrets)")
	f.StringVar(&spec.SMTP.From, "smtp-from", "", "with --smtp: the sender address of every message")
	f.StringVar(&spec.SMTP.TLS, "smtp-tls", "", "with --smtp: starttls (default), tls (SMTPS) or off (no login then)")
	f.StringVar(&smtpCAFile, "smtp-ca-file", "", "with --smtp: the CA (PEM) the relay's certificate is checked against, instead of Debian's bundle")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func baseOriginText(origin string) string {
	switch origin {
	case images.OriginPull:
		return "pulled from a registry"
	case images.OriginDebootstrap:
		return "bootstrapped offline with debootstrap"
	default:
		return origin
	}
}

// absPaths makes the given file paths absolute: the spec keeps them, and
// later commands may run from another folder.
func absPaths(paths ...*string) error {
	for _, p := range paths {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("%s: %w", *p, err)
		}
		*p = abs
	}
	return nil
}
