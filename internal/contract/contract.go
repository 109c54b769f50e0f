// Package contract holds the names the host side and the images agree on:
// the PID 1 program's path and roles, the service users, the mount paths,
// the environment variables, the secrets, the labels and the health check.
// The plan, the targets and backup write these names; the recipes and the
// PID 1 program (internal/container) read them. contract_test.go checks
// the embedded recipes and docs/internals.md against this file.
package contract

import (
	"strings"
	"time"
)

// The PID 1 program of every image (cmd/wpstack-init). It is not the CLI:
// its bytes are what the image tags hash, so a CLI-only edit changes no tag.
const (
	InitName   = "wpstack-init"               // file name in a build context
	InitBinary = "/usr/local/bin/" + InitName // path inside the images
)

// Roles of the PID 1 program: `wpstack-init ROLE [ARGS]`.
const (
	RoleWeb      = "web"
	RoleDB       = "db"
	RoleAllInOne = "allinone"
	RoleCron     = "cron"
	RoleBackup   = "backup"
	RoleRun      = "run"      // supervise any command: run [--user NAME] -- CMD
	RoleHealth   = "health"   // health web|db|allinone|backup
	RoleVersion  = "version"  // print the WordPress version in Webroot
	RoleSendmail = "sendmail" // PHP's sendmail_path without SMTP: keep the message in MailboxDir
	RoleMailbox  = "mailbox"  // mailbox list|show N: read MailboxDir
	// RoleVolumesRm removes a swarm stack's volumes on one node's engine.
	RoleVolumesRm = "volumes-rm"
)

// Command is the argv that runs role (with args) in an image.
func Command(role string, args ...string) []string {
	return append([]string{InitBinary, role}, args...)
}

// HealthCommand is the image's own health check of a service role.
func HealthCommand(role string) []string { return Command(RoleHealth, role) }

// Service users. The web image's www-data is Debian's; the db image makes
// mysql with the official image's fixed ids so data folders stay readable
// across rebuilds. The all-in-one image runs both services as www-data.
const (
	WebUser = "www-data"
	WebUID  = 33
	DBUser  = "mysql"
	DBUID   = 999
)

// Paths inside the images.
const (
	Webroot        = "/var/www/html"           // the WordPress tree (a volume or bind mount)
	ContentDir     = Webroot + "/wp-content"   // what a backup keeps of it
	CoreSource     = "/usr/src/wordpress"      // the core copied into Webroot on first start
	CoreArchive    = CoreSource + ".tar.zst"   // the same, compressed, in the all-in-one image
	WPConfig       = "/var/www/wp-config.php"  // outside the webroot, read through env.php
	DBDataDir      = "/var/lib/mysql"          // the database volume
	DBRunDir       = "/run/mysqld"             // socket and pid
	DBSocket       = DBRunDir + "/mysqld.sock" // local clients (all-in-one, backups)
	InitScriptsDir = "/docker-entrypoint-initdb.d"
	BackupsDir     = "/backups" // the scheduled backup service's folder
	// SecretsDir is where the targets mount secrets (Docker's default).
	SecretsDir = "/run/secrets"
	// CopiedSecretsDir holds PID 1's copies of the *_FILE secrets, owned by
	// the service user: Docker mounts them root-owned, so after the
	// privilege drop the originals may be unreadable.
	CopiedSecretsDir = "/run/wpstack/secrets"
)

// Paths of the official images' interface, kept by the drop-in images.
const (
	// WPConfigLink is where WPConfig leads in the web image: PID 1 links it
	// to the image's configuration only when a WORDPRESS_* variable is set,
	// so that without one WordPress runs its setup wizard.
	WPConfigLink = "/run/wpstack/wp-config.php"
	// HealthcheckScript is the official mariadb image's health check
	// script, in the db image a link to InitBinary, which answers to it.
	HealthcheckScript = "/usr/local/bin/healthcheck.sh"
)

// Ports the images listen on.
const (
	WebPort  = 80
	DBPort   = 3306
	EdgePort = 8080
)

// Secret names (files in the site's secrets folder, mounted as
// SecretsDir/<name>).
const (
	SecretDBRoot  = "db_root_password"
	SecretDB      = "db_password"
	SecretAdmin   = "admin_password" // host side only: never mounted
	SecretWPSalts = "wp_salts"
	SecretSMTP    = "smtp_password" // only for a site with --smtp-user
	SecretSMTPCA  = "smtp_ca"       // only for a site with --smtp-ca-file (not secret, mounted alike)
)

// SecretPath is where a mounted secret is read inside a container.
func SecretPath(name string) string { return SecretsDir + "/" + name }

// CopiedSecretPath is where PID 1 puts its copy of the secret a *_FILE
// variable names: CopiedSecretsDir/<variable without _FILE>.
func CopiedSecretPath(fileVar string) string {
	return CopiedSecretsDir + "/" + strings.TrimSuffix(fileVar, "_FILE")
}

// Environment variables the images read. The MARIADB_* and WORDPRESS_*
// names are the official images', so their documentation applies.
const (
	EnvDBDatabase       = "MARIADB_DATABASE"
	EnvDBUser           = "MARIADB_USER"
	EnvDBPasswordFile   = "MARIADB_PASSWORD_FILE"
	EnvDBRootPassFile   = "MARIADB_ROOT_PASSWORD_FILE"
	EnvWPDBHost         = "WORDPRESS_DB_HOST"
	EnvWPDBName         = "WORDPRESS_DB_NAME"
	EnvWPDBUser         = "WORDPRESS_DB_USER"
	EnvWPDBPasswordFile = "WORDPRESS_DB_PASSWORD_FILE"
	EnvWPTablePrefix    = "WORDPRESS_TABLE_PREFIX"
	EnvWPConfigExtra    = "WORDPRESS_CONFIG_EXTRA"
	// Optional settings of the web image, as in the official image; the
	// plan sets none of them.
	EnvWPDBCharset = "WORDPRESS_DB_CHARSET"
	EnvWPDBCollate = "WORDPRESS_DB_COLLATE"
	EnvWPDebug     = "WORDPRESS_DEBUG"
	EnvSaltsFile   = "WPSTACK_SALTS_FILE"
	EnvInstallLock = "WPSTACK_INSTALL_LOCK" // only wpstack may run the installer
	// EnvTrustedProxies: the ranges whose X-Forwarded-* headers count.
	EnvTrustedProxies = "WPSTACK_TRUSTED_PROXIES"
	// EnvProxyList and EnvProxyExpr: what PID 1 hands Apache from it (the
	// ranges for RemoteIPTrustedProxy, a match on the connection's peer).
	EnvProxyList    = "WPSTACK_PROXY_LIST"
	EnvProxyExpr    = "WPSTACK_PROXY_EXPR"
	EnvDBWait       = "WPSTACK_DB_WAIT"
	EnvWPVersion    = "WPSTACK_WP_VERSION"
	EnvSite         = "WPSTACK_SITE"
	EnvBackupEvery  = "WPSTACK_BACKUP_EVERY"
	EnvBackupKeep   = "WPSTACK_BACKUP_KEEP"
	EnvCronURL      = "WPSTACK_CRON_URL"
	EnvCronInterval = "WPSTACK_CRON_INTERVAL"
	EnvEdgeBackend  = "WPSTACK_EDGE_BACKEND"
	EnvEdgeSlots    = "WPSTACK_EDGE_SLOTS"
	// EnvEdgePurge: where the web image's purge plugin asks the edge to
	// drop cached pages (unset: the site is not behind the edge).
	EnvEdgePurge = "WPSTACK_EDGE_PURGE"
	// PHP settings of the web image (unset: the image's php.ini). Upload
	// max sets both upload_max_filesize and post_max_size.
	EnvPHPMemoryLimit   = "PHP_MEMORY_LIMIT"
	EnvPHPUploadMax     = "PHP_UPLOAD_MAX"
	EnvPHPMaxExecTime   = "PHP_MAX_EXECUTION_TIME"
	EnvSMTPHost         = "WPSTACK_SMTP_HOST" // host:port; unset: mail goes to MailboxDir
	EnvSMTPUser         = "WPSTACK_SMTP_USER"
	EnvSMTPPasswordFile = "WPSTACK_SMTP_PASSWORD_FILE"
	EnvSMTPFrom         = "WPSTACK_SMTP_FROM"
	EnvSMTPTLS          = "WPSTACK_SMTP_TLS"     // starttls (default), tls or off
	EnvSMTPCAFile       = "WPSTACK_SMTP_CA_FILE" // the relay's CA (PEM); unset: Debian's bundle
	// EnvMailboxDir moves the mailbox out of MailboxDir (a swarm site keeps
	// it in wp-content's MailboxSubdir, which every replica reaches).
	EnvMailboxDir = "WPSTACK_MAILBOX_DIR"
)

// Mail and PHP runtime paths of the web image.
const (
	// MailboxDir is the site's mailbox (a volume): a maildir holding every
	// message PHP sends when no SMTP relay is set.
	MailboxDir = "/var/mail/wpstack"
	// MailboxSubdir is a swarm site's mailbox inside wp-content: on the
	// shared storage, so the mail of every node's replicas is in one place
	// (maildir's tmp/ to new/ rename is safe on a shared filesystem).
	// Backups leave it out; a .htaccess in it keeps Apache from serving it.
	MailboxSubdir = ".wpstack-mail"
	// PHPRunDir holds the ini file and msmtp configuration PID 1 writes at
	// start from the environment (on the /run tmpfs).
	PHPRunDir = "/run/wpstack/php"
)

// The engine's domain edge as a site's web container reaches it on their
// shared network: its container name, and the listener of the cache purge
// (not published on the host).
const (
	EdgeContainer = "wpstack-edge"
	// EngineSocket is where the volumes-rm job mounts its node's engine.
	EngineSocket = "/var/run/docker.sock"
	// LabelStackNamespace marks what belongs to a swarm stack (the docker
	// CLI's own label, which wpstack's stacks carry too).
	LabelStackNamespace = "com.docker.stack.namespace"
	EdgePurgePort       = 8081
	// EdgePurgeTokenHeader carries the site's purge token; the token is
	// HMAC-SHA256(key: the site's salts file, message: EdgePurgeMessage),
	// hex, computed by wpstack for the edge and by the plugin in the site.
	EdgePurgeTokenHeader = "X-Wpstack-Purge-Token"
	EdgePurgeURIHeader   = "X-Wpstack-Purge-Uri"
	EdgePurgeMessage     = "wpstack-purge"
	// MUPluginsDir is the web image's must-use plugins folder
	// (WPMU_PLUGIN_DIR): outside the webroot, so wp-content is untouched.
	MUPluginsDir = "/usr/share/wpstack/mu-plugins"
)

// Labels on what wpstack makes: containers, services, networks, volumes,
// secrets and images.
const (
	LabelSite       = "io.wpstack.site"
	LabelService    = "io.wpstack.service"
	LabelConfig     = "io.wpstack.config-hash"
	LabelManaged    = "io.wpstack.managed"
	LabelSpecHash   = "io.wpstack.spec-hash"
	LabelRole       = "io.wpstack.role"
	LabelRecipe     = "io.wpstack.recipe"
	LabelBaseOrigin = "io.wpstack.base.origin"
	LabelWPVersion  = "io.wpstack.wordpress.version"
	LabelWPSource   = "io.wpstack.wordpress.source"
	// LabelRelease is the Debian release (the stack) an image is built on.
	LabelRelease = "io.wpstack.release"
	// LabelUpgradeSnapshot marks the volumes holding a site's data from
	// before an upgrade, kept until it succeeded.
	LabelUpgradeSnapshot = "io.wpstack.upgrade-snapshot"
	// LabelEdgeHome marks the engine's domain edge (and its network) with
	// the state directory whose sites it serves.
	LabelEdgeHome = "io.wpstack.edge.home"
	// LabelDBNodePrefix + site marks the swarm node that holds a site's
	// database volume.
	LabelDBNodePrefix = "io.wpstack.db."
)

// The health check, the same in the images' HEALTHCHECK and in the plan.
// wpstack probes faster itself while it waits for a start; this interval
// is for the engine's ongoing watch and for exported compose files.
const (
	HealthInterval = 10 * time.Second
	HealthTimeout  = 5 * time.Second
	HealthRetries  = 5
)

// HealthStartPeriod is the grace before failures count: the first start of
// a database initialises it, which takes longer than a web server's.
func HealthStartPeriod(role string) time.Duration {
	switch role {
	case RoleDB, RoleAllInOne:
		return 120 * time.Second
	case RoleBackup:
		return 30 * time.Second
	default:
		return 60 * time.Second
	}
}
