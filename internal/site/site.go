// Package site holds the Site spec: what a user asks for, its defaults,
// its validation, and every name derived from it. Names and labels are
// produced here and nowhere else, so two sites can never share a resource.
package site

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// Layouts and targets.
const (
	LayoutSplit    = "split"
	LayoutAllInOne = "allinone"
	TargetLocal    = "local"
	TargetSwarm    = "swarm"
)

// Defaults, in one place.
const (
	DefaultPort      = 8080
	DefaultHost      = "localhost"
	DefaultAdminUser = "admin"
	DefaultDBName    = "wordpress"
	DefaultDBUser    = "wordpress"
	DefaultPrefix    = "wp_"
)

// Spec is a site as the user describes it; it is stored as site.yaml in the
// site's state directory so that a bare `wpstack up NAME` brings back the same site.
type Spec struct {
	Name            string `yaml:"name" json:"name"`
	Layout          string `yaml:"layout" json:"layout"`
	Target          string `yaml:"target" json:"target"`
	Port            int    `yaml:"port" json:"port"`
	Bind            string `yaml:"bind,omitempty" json:"bind,omitempty"`
	Host            string `yaml:"host" json:"host"`
	Title           string `yaml:"title" json:"title"`
	AdminUser       string `yaml:"admin_user" json:"admin_user"`
	AdminEmail      string `yaml:"admin_email" json:"admin_email"`
	WordPressSource string `yaml:"wordpress_source,omitempty" json:"wordpress_source,omitempty"`
	// TablePrefix is WordPress's table prefix; empty means DefaultPrefix.
	// An imported site keeps the prefix its dump was made with.
	TablePrefix string `yaml:"table_prefix,omitempty" json:"table_prefix,omitempty"`
	// DataDir, when set, keeps the database and the WordPress files in host
	// folders under it instead of named volumes (see DataDirs).
	DataDir string `yaml:"data_dir,omitempty" json:"data_dir,omitempty"`
	// Target swarm only: web replicas, the registry every node pulls from,
	// and the path present on every node that holds wp-content.
	Replicas      int    `yaml:"replicas,omitempty" json:"replicas,omitempty"`
	Registry      string `yaml:"registry,omitempty" json:"registry,omitempty"`
	SharedStorage string `yaml:"shared_storage,omitempty" json:"shared_storage,omitempty"`
	// BackupEvery, when set, adds a backup service to the site's stack that
	// backs it up at this interval (a Go duration, e.g. 24h) and keeps the
	// last BackupKeep backups (see backup.go).
	BackupEvery string `yaml:"backup_every,omitempty" json:"backup_every,omitempty"`
	BackupKeep  int    `yaml:"backup_keep,omitempty" json:"backup_keep,omitempty"`
	// Domains, when set, put the site behind the engine's edge under these
	// names (the first is the one in its URL) instead of a port of its own;
	// see domain.go.
	Domains []string `yaml:"domains,omitempty" json:"domains,omitempty"`
	// TLS is where the site's certificate comes from: local, cert (with
	// CertFile and KeyFile, the user's PEM pair as given) or acme (from
	// ACMEDirectory, the account's contact ACMEEmail; see acme.go).
	TLS           string `yaml:"tls,omitempty" json:"tls,omitempty"`
	CertFile      string `yaml:"cert_file,omitempty" json:"cert_file,omitempty"`
	KeyFile       string `yaml:"key_file,omitempty" json:"key_file,omitempty"`
	ACMEEmail     string `yaml:"acme_email,omitempty" json:"acme_email,omitempty"`
	ACMEDirectory string `yaml:"acme_directory,omitempty" json:"acme_directory,omitempty"`
	// HTTPPort and HTTPSPort are the edge's host ports, HSTS its
	// Strict-Transport-Security header for this site.
	HTTPPort  int  `yaml:"http_port,omitempty" json:"http_port,omitempty"`
	HTTPSPort int  `yaml:"https_port,omitempty" json:"https_port,omitempty"`
	HSTS      bool `yaml:"hsts,omitempty" json:"hsts,omitempty"`
	// Cache is the edge's full-page cache for anonymous visitors: on or off.
	Cache string `yaml:"cache,omitempty" json:"cache,omitempty"`
	// LoginRate is how many POSTs to wp-login.php and xmlrpc.php one client
	// address may make: N/m (a minute) or N/s.
	LoginRate string `yaml:"login_rate,omitempty" json:"login_rate,omitempty"`
	// Stack is the Debian release of the site's images (see stack.go);
	// empty in a site made before stacks existed, which is LegacyStack.
	Stack string `yaml:"stack,omitempty" json:"stack,omitempty"`
	// CacheSize bounds the site's pages in the edge's cache (Nm, Ng);
	// WWWRedirect is off, to-bare or to-www (see edgeopts.go).
	CacheSize   string `yaml:"cache_size,omitempty" json:"cache_size,omitempty"`
	WWWRedirect string `yaml:"www_redirect,omitempty" json:"www_redirect,omitempty"`
	// PHP settings and outgoing mail of the web service: see php.go and
	// mail.go. Empty: the image's own.
	PHP  PHPSettings `yaml:"php,omitempty" json:"php,omitempty"`
	SMTP SMTP        `yaml:"smtp,omitempty" json:"smtp,omitempty"`
}

// Labels put on every resource wpstack makes.
const (
	LabelSite    = contract.LabelSite
	LabelService = contract.LabelService
	LabelConfig  = contract.LabelConfig
	LabelManaged = contract.LabelManaged
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)

// ValidateName checks a site name alone (commands that only look a site up need no more).
func ValidateName(name string) error {
	if name == "" {
		return errors.New("a site name is required, e.g. `wpstack up blog`")
	}
	if !nameRE.MatchString(name) || strings.Contains(name, "--") {
		return fmt.Errorf("invalid site name %q: use 2-32 lowercase letters, digits and single dashes, starting with a letter (e.g. \"blog\" or \"shop-2\")", name)
	}
	// Subcommand words would make `wpstack backup list` ambiguous.
	switch name {
	case "list", "verify", "build":
		return fmt.Errorf("invalid site name %q: it is a command word; choose another name (e.g. \"%s-site\")", name, name)
	}
	return nil
}

// ApplyDefaults fills every empty field with its default. It never changes a set field.
func (s *Spec) ApplyDefaults() {
	if s.Layout == "" {
		s.Layout = LayoutSplit
	}
	if s.Target == "" {
		s.Target = TargetLocal
	}
	if s.Target == TargetSwarm && s.Replicas == 0 {
		s.Replicas = 1
	}
	s.applyDomainDefaults()
	if s.Port == 0 && !s.HasDomains() {
		s.Port = DefaultPort
	}
	if s.Host == "" {
		s.Host = DefaultHost
		if s.HasDomains() {
			s.Host = s.Domains[0]
		}
	}
	if s.Title == "" {
		s.Title = s.Name
	}
	if s.AdminUser == "" {
		s.AdminUser = DefaultAdminUser
	}
	if s.AdminEmail == "" {
		s.AdminEmail = s.AdminUser + "@" + emailDomain(s.Host)
	}
}

// emailDomain turns a host into something WordPress accepts in an e-mail
// address (it refuses "admin@localhost").
func emailDomain(host string) string {
	if strings.Contains(host, ".") && !isIP(host) {
		return host
	}
	return "example.com"
}

func isIP(h string) bool {
	for _, p := range strings.Split(h, ".") {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

var (
	userRE   = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,60}$`)
	prefixRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)
	hostRE   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)
)

// Validate checks a defaulted spec and names the problem and the fix.
func (s *Spec) Validate() error {
	if err := ValidateName(s.Name); err != nil {
		return err
	}
	switch s.Layout {
	case LayoutSplit:
	case LayoutAllInOne:
	default:
		return fmt.Errorf("unknown layout %q: use --layout split (web and db containers) or --layout allinone (one container)", s.Layout)
	}
	if s.Stack != "" {
		if err := ValidateStack(s.Stack); err != nil {
			return err
		}
	}
	if err := s.validateLayout(); err != nil {
		return err
	}
	if err := s.validateTarget(); err != nil {
		return err
	}
	if err := s.validateBackup(); err != nil {
		return err
	}
	if err := s.validateDomains(); err != nil {
		return err
	}
	if err := s.validateRuntime(); err != nil {
		return err
	}
	if s.HasDomains() {
		if s.Port != 0 || s.Bind != "" {
			return fmt.Errorf("a site with --domain is served by the edge on --http-port/--https-port: drop --port and --bind")
		}
		if s.Host != s.Domains[0] {
			return fmt.Errorf("a site with --domain is known by its first domain (%s): drop --host", s.Domains[0])
		}
	} else if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("invalid port %d: choose one between 1 and 65535 with --port", s.Port)
	}
	if s.Bind != "" && net.ParseIP(s.Bind) == nil {
		return fmt.Errorf("invalid --bind %q: give an IP address of this host to publish on, e.g. --bind 127.0.0.1 (or leave it out for every address)", s.Bind)
	}
	if !hostRE.MatchString(s.Host) {
		return fmt.Errorf("invalid host %q: give a DNS name or an IP address with --host (e.g. localhost or blog.example.com)", s.Host)
	}
	if strings.TrimSpace(s.Title) == "" {
		return errors.New("the site title is empty: give one with --title")
	}
	if s.TablePrefix != "" && !prefixRE.MatchString(s.TablePrefix) {
		return fmt.Errorf("invalid table prefix %q: use 1-32 letters, digits or '_'", s.TablePrefix)
	}
	if !userRE.MatchString(s.AdminUser) {
		return fmt.Errorf("invalid admin user %q: use 1-60 letters, digits, '_', '.', '@' or '-' with --admin-user", s.AdminUser)
	}
	if a, err := mail.ParseAddress(s.AdminEmail); err != nil || a.Address != s.AdminEmail || !strings.Contains(s.AdminEmail[strings.LastIndex(s.AdminEmail, "@"):], ".") {
		return fmt.Errorf("invalid admin e-mail %q: give an address like me@example.com with --admin-email", s.AdminEmail)
	}
	return nil
}

// Prefix is the site's table prefix.
func (s *Spec) Prefix() string {
	if s.TablePrefix == "" {
		return DefaultPrefix
	}
	return s.TablePrefix
}

// URL is the address the site answers on; it is also the one stored in WordPress.
func (s *Spec) URL() string {
	if s.HasDomains() {
		return "https://" + s.CanonicalHost() + "/"
	}
	if s.Port == 80 {
		return "http://" + s.Host + "/"
	}
	return fmt.Sprintf("http://%s:%d/", s.Host, s.Port)
}

// HostHeader is the Host header that makes WordPress see the site's URL.
func (s *Spec) HostHeader() string {
	if s.HasDomains() {
		return s.CanonicalHost()
	}
	if s.Port == 80 {
		return s.Host
	}
	return fmt.Sprintf("%s:%d", s.Host, s.Port)
}

// Services of the split layout, in start order.
const (
	ServiceDB  = "db"
	ServiceWeb = "web"
)

// Project is the compose project name of the site.
func (s *Spec) Project() string { return s.Name }

// ContainerName follows compose's <project>-<service>-<n>.
func (s *Spec) ContainerName(service string) string { return s.Name + "-" + service + "-1" }

// NetworkName is the site's private network.
func (s *Spec) NetworkName() string { return s.Name + "_default" }

// VolumeName follows compose's <project>_<volume>, so an exported compose file
// finds the same data.
func (s *Spec) VolumeName(v string) string { return s.Name + "_" + v }

// Labels returns the labels that mark a resource as this site's.
func (s *Spec) Labels(service string) map[string]string {
	l := map[string]string{LabelSite: s.Name, LabelManaged: "true"}
	if service != "" {
		l[LabelService] = service
	}
	return l
}
