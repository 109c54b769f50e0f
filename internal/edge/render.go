package edge

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/template"

	"github.com/wpstack/wpstack/internal/contract"
)

// Inside the edge container: where the rendered configuration is mounted,
// and the unprivileged ports nginx listens on.
const (
	ConfDir       = "/etc/wpstack-edge"
	ConfFile      = ConfDir + "/nginx.conf"
	ListenHTTP    = 8080
	ListenHTTPS   = 8443
	ListenPurge   = contract.EdgePurgePort
	certsSubdir   = "certs"
	backendPort   = 80
	hstsMaxAge    = 31536000 // one year, the preload list's minimum
	acmeChallenge = "/.well-known/acme-challenge/"
	// How long a page stays fresh: what no purge names (archives,
	// paginated lists) is at most this old.
	cacheTTL = "60s"
	// With no --cache-size (see CacheSite).
	defaultCacheSize = "32m"
	defaultCacheKeys = "1m"
)

// Site is one site as the edge serves it.
type Site struct {
	Name string
	// Names are the site's domains, the first being the one WordPress
	// stores; requests for any of them reach the site.
	Names []string
	// Backend is the site's web container as the edge resolves it on their
	// shared network (host:port).
	Backend string
	// Host is the Host header WordPress gets: its first name, with the
	// public HTTPS port when that is not 443.
	Host string
	HSTS bool
	// Cache serves anonymous GET and HEAD from the edge's full-page cache.
	Cache bool
	// LoginRate is the site's limit on POSTs to wp-login.php and
	// xmlrpc.php per client address, as nginx writes it ("10r/m"); empty:
	// the default. LoginBurst is nginx's burst, LoginRetryAfter is the Retry-After of its 429 (seconds).
	LoginRate       string
	LoginBurst      int
	LoginRetryAfter int
	// PurgeToken authenticates the site's purge requests (PurgeToken()).
	// Empty: the site has no purge endpoint.
	PurgeToken string
	// CertFile and KeyFile are where the edge reads the site's pair;
	// empty: CertPath and KeyPath (a swarm task reads them as secrets).
	CertFile, KeyFile string
	// CacheSize and CacheKeys bound the site's cache zone (CacheSite);
	// empty: the defaults.
	CacheSize string
	CacheKeys string
	// Redirects are the names that answer 301 to another of Names
	// (--www-redirect), sorted by From.
	Redirects []Redirect
	// BodyMax is the site's largest request body as nginx writes it
	// (--upload-max, e.g. "64m"); empty: the edge's default.
	BodyMax string
	// ACME: the edge answers the site's HTTP-01 challenges from the files
	// wpstack writes. Pending: no certificate yet, so HTTP only, with the
	// challenges and a 503 for everything else.
	ACME    bool
	Pending bool
	// CertID names the certificate served (a hash of its chain): a new
	// certificate changes the configuration, so nginx reloads and reads it.
	CertID string
}

// With no --login-rate: 10 a minute.
const (
	defaultLoginRate  = "10r/m"
	defaultLoginBurst = 9
	defaultRetry      = 6
)

// LoginLimit turns --login-rate's count and unit (site.ParseLoginRate)
// into nginx's rate, its burst and the seconds until one more POST is
// allowed. N a minute means N at once (a rate of N plus a burst of N-1),
// then one more each 1/N of the minute: the N+1th POST in a row is refused.
func LoginLimit(n int, unit string) (rate string, burst, retryAfter int) {
	per := 1
	if unit == "m" {
		per = 60
	}
	retryAfter = (per + n - 1) / n
	return fmt.Sprintf("%dr/%s", n, unit), n - 1, retryAfter
}

// Config is everything the edge's nginx.conf is rendered from.
type Config struct {
	Sites []Site
	// HTTPSPort is the public HTTPS port, for redirects (443: none in the URL).
	HTTPSPort int
}

// CertPath and KeyPath are where a site's certificate and key are inside
// the edge.
func CertPath(site string) string { return ConfDir + "/" + certsSubdir + "/" + site + ".crt" }

// KeyPath: see CertPath.
func KeyPath(site string) string { return ConfDir + "/" + certsSubdir + "/" + site + ".key" }

// Render returns nginx.conf for cfg. Sites are sorted by name, so equal
// inputs give equal bytes (and no needless reload). Every value comes from
// a validated spec: domains are DNS names, site names [a-z0-9-].
func Render(cfg Config) ([]byte, error) {
	sites := append([]Site(nil), cfg.Sites...)
	sort.Slice(sites, func(i, j int) bool { return sites[i].Name < sites[j].Name })
	seen := map[string]string{}
	for i := range sites {
		if sites[i].CertFile == "" {
			sites[i].CertFile, sites[i].KeyFile = CertPath(sites[i].Name), KeyPath(sites[i].Name)
		}
		if sites[i].LoginRate == "" {
			sites[i].LoginRate, sites[i].LoginBurst, sites[i].LoginRetryAfter = defaultLoginRate, defaultLoginBurst, defaultRetry
		}
		if sites[i].CacheSize == "" {
			sites[i].CacheSize, sites[i].CacheKeys = defaultCacheSize, defaultCacheKeys
		}
	}
	for _, s := range sites {
		if len(s.Names) == 0 || !s.Pending && (s.Backend == "" || s.Host == "") {
			return nil, fmt.Errorf("render the edge: site %q has no names, backend or host", s.Name)
		}
		for _, n := range s.Names {
			if other, ok := seen[n]; ok {
				return nil, fmt.Errorf("render the edge: domain %q is claimed by sites %q and %q", n, other, s.Name)
			}
			seen[n] = s.Name
		}
		for _, r := range s.Redirects {
			if !slices.Contains(s.Names, r.From) || !slices.Contains(served(s), r.To) {
				return nil, fmt.Errorf("render the edge: site %q redirects %q to %q: both must be names it serves", s.Name, r.From, r.To)
			}
		}
	}
	redirectPort := ""
	if cfg.HTTPSPort != 0 && cfg.HTTPSPort != 443 {
		redirectPort = fmt.Sprintf(":%d", cfg.HTTPSPort)
	}
	var b bytes.Buffer
	err := confTemplate.Execute(&b, map[string]any{
		"Sites": sites, "RedirectPort": redirectPort, "HTTP": ListenHTTP, "HTTPS": ListenHTTPS, "Purge": ListenPurge,
		"TokenHeader": headerVar(contract.EdgePurgeTokenHeader), "URIHeader": headerVar(contract.EdgePurgeURIHeader),
		"HSTSMaxAge": hstsMaxAge, "ACME": acmeChallenge, "CacheTTL": cacheTTL, "CacheDir": cacheDir, "ChallengeDir": challengeDir,
	})
	if err != nil {
		return nil, fmt.Errorf("render the edge: %w", err)
	}
	return b.Bytes(), nil
}

var confTemplate = template.Must(template.New("nginx.conf").Funcs(template.FuncMap{
	"join": strings.Join, "cert": CertPath, "key": KeyPath, "zone": cacheZone, "served": served,
}).Parse(`# wpstack edge: rendered from every site's spec by wpstack; do not edit,
# the next wpstack up, down or destroy of a site with --domain rewrites it.
daemon off;
worker_processes auto;
# ngx_cache_purge (Debian's libnginx-mod-http-cache-purge): the sites'
# plugins drop changed pages from the cache.
load_module /usr/lib/nginx/modules/ngx_http_cache_purge_module.so;
pid /tmp/nginx.pid;
error_log stderr warn;

events {
	worker_connections 4096;
}

http {
	server_tokens off;
	default_type text/plain;
	charset utf-8;
	# The last field is X-Cache: wpstack cache status counts it.
	log_format wpstack '$remote_addr $host "$request" $status $body_bytes_sent $request_time "$http_user_agent" $wpstack_x_cache';
	access_log /dev/stdout wpstack;

	# Everything nginx writes goes to the /tmp tmpfs: the root is read-only.
	client_body_temp_path /tmp/nginx-body;
	proxy_temp_path /tmp/nginx-proxy;
	fastcgi_temp_path /tmp/nginx-fastcgi;
	uwsgi_temp_path /tmp/nginx-uwsgi;
	scgi_temp_path /tmp/nginx-scgi;

	# Docker's embedded DNS: a re-created web container is found again
	# within seconds, without a reload.
	resolver 127.0.0.11 valid=5s ipv6=off;
	resolver_timeout 3s;

	gzip on;
	gzip_vary on;
	gzip_proxied any;
	gzip_types text/css text/xml application/javascript application/json application/rss+xml application/atom+xml image/svg+xml;

	client_max_body_size 128m;
	proxy_http_version 1.1;
	proxy_connect_timeout 5s;
	proxy_read_timeout 300s;
	proxy_send_timeout 300s;

	ssl_protocols TLSv1.2 TLSv1.3;
	ssl_prefer_server_ciphers off;
	ssl_session_cache shared:wpstack:10m;
	ssl_session_timeout 1d;
	ssl_session_tickets off;

	# The full-page cache: a zone per site (below), on the edge's cache
	# tmpfs, each bounded by the site's --cache-size (max_size) and its
	# keys. Keyed on scheme, host, path and query.
	proxy_cache_methods GET HEAD;
	proxy_cache_valid 200 301 302 {{.CacheTTL}};
	proxy_cache_valid 404 10s;
	proxy_cache_use_stale error timeout invalid_header updating http_500 http_502 http_503 http_504;
	proxy_cache_background_update on;
	proxy_cache_lock on;
	proxy_cache_lock_timeout 5s;

	# Never from the cache, never into it: logged-in users, password-
	# protected posts, commenters, carts, an Authorization header.
	map $http_cookie $wpstack_cookie_nocache {
		default 0;
		"~*(wordpress_logged_in_|wordpress_sec_|wp-postpass_|comment_author_|woocommerce_|wp_woocommerce_session_)" 1;
	}
	# ... and wp-admin, the login, XML-RPC, cron, previews, the health check.
	map $request_uri $wpstack_uri_nocache {
		default 0;
		"~*^/(wp-admin/|wp-login\.php|xmlrpc\.php|wp-cron\.php|\.wpstack/)" 1;
		"~*[?&](preview|preview_id|p_preview)=" 1;
	}
	map "$wpstack_cookie_nocache$wpstack_uri_nocache$http_authorization" $wpstack_nocache {
		"00" 0;
		default 1;
	}
	# One entry per key, so a purge drops the page for every client: the
	# backend is asked for no compression, so Vary: Accept-Encoding says
	# nothing about its body and is not kept as a variant (nginx
	# compresses, and tells clients Vary itself); a response that varies
	# on anything else is not stored at all.
	map $upstream_http_vary $wpstack_vary_nocache {
		default 1;
		"" 0;
		"~*^[\s,]*accept-encoding[\s,]*$" 0;
	}
	# X-Cache on every response: HIT, MISS or BYPASS.
	map $upstream_cache_status $wpstack_x_cache {
		HIT HIT;
		STALE HIT;
		UPDATING HIT;
		REVALIDATED HIT;
		MISS MISS;
		EXPIRED MISS;
		default BYPASS;
	}

	# The brute-force brake: POSTs to the login and XML-RPC are counted per
	# client address (the TCP peer: the edge is the first hop, nothing a
	# client sends is trusted); every other request has an empty key, which
	# limit_req does not count.
	map "$request_method $uri" $wpstack_login_addr {
		default "";
		"~*^POST /(wp-login|xmlrpc)\.php(/|$)" $binary_remote_addr;
	}
	limit_req_status 429;
	limit_req_log_level warn;
{{- range .Sites}}{{if not .Pending}}
	limit_req_zone $wpstack_login_addr zone=wpstack_login_{{.Name}}:1m rate={{.LoginRate}};{{end}}
{{- end}}
{{- range .Sites}}
	proxy_cache_path {{$.CacheDir}}/{{.Name}} levels=1:2 keys_zone={{zone .Name}}:{{.CacheKeys}} max_size={{.CacheSize}} inactive=10m use_temp_path=off;
{{- end}}

	# No site has this name: a neutral 404 over HTTP, and over TLS no
	# certificate at all for a name no site has.
	server {
		listen {{.HTTP}} default_server;
		listen {{.HTTPS}} ssl default_server;
		listen {{.Purge}} default_server;
		ssl_reject_handshake on;
		location / {
			return 404 "Not Found\n";
		}
	}
{{range .Sites}}
	# site {{.Name}}{{if .Pending}}: its certificate is being issued{{end}}{{if .CertID}} (certificate {{.CertID}}){{end}}
	server {
		listen {{$.HTTP}};
		server_name {{join .Names " "}};
{{- if .ACME}}
		# HTTP-01: the files wpstack writes while the CA validates.
		location ^~ {{$.ACME}} {
			alias {{$.ChallengeDir}};
			default_type text/plain;
			add_header Cache-Control "no-store" always;
		}
{{- else}}
		location {{$.ACME}} {
			return 404 "Not Found\n";
		}
{{- end}}
		location / {
{{- if .Pending}}
			add_header Retry-After 60 always;
			return 503 "Service Unavailable: the site's certificate is being issued\n";
{{- else}}
{{- range .Redirects}}
			if ($host = "{{.From}}") {
				return 301 https://{{.To}}{{$.RedirectPort}}$request_uri;
			}
{{- end}}
			return 301 https://$host{{$.RedirectPort}}$request_uri;
{{- end}}
		}
	}
{{- if not .Pending}}
{{- $site := .}}
{{- range .Redirects}}
	server {
		listen {{$.HTTPS}} ssl;
		server_name {{.From}};
		ssl_certificate {{$site.CertFile}};
		ssl_certificate_key {{$site.KeyFile}};
		location / {
{{- if $site.HSTS}}
			add_header Strict-Transport-Security "max-age={{$.HSTSMaxAge}}" always;
{{- end}}
			add_header X-Cache BYPASS always;
			return 301 https://{{.To}}{{$.RedirectPort}}$request_uri;
		}
	}
{{- end}}
	server {
		listen {{$.HTTPS}} ssl;
		server_name {{join (served .) " "}};
		ssl_certificate {{.CertFile}};
		ssl_certificate_key {{.KeyFile}};
{{- if .BodyMax}}
		client_max_body_size {{.BodyMax}};
{{- end}}
		limit_req zone=wpstack_login_{{.Name}} burst={{.LoginBurst}} nodelay;
		error_page 429 @wpstack_429;
		location @wpstack_429 {
			add_header Retry-After {{.LoginRetryAfter}} always;
			add_header X-Cache BYPASS always;
			return 429 "Too Many Requests: wait {{.LoginRetryAfter}} s before the next login attempt\n";
		}
		location / {
{{- if .HSTS}}
			add_header Strict-Transport-Security "max-age={{$.HSTSMaxAge}}" always;
{{- end}}
{{- if .Cache}}
			proxy_cache {{zone .Name}};
			# The key's host is the one WordPress is sent, whichever of the
			# site's names the client used: the page is the same, and the
			# site's plugin purges it by the one name it knows.
			proxy_cache_key "https|{{.Host}}|$request_uri";
			proxy_cache_bypass $wpstack_nocache;
			proxy_no_cache $wpstack_nocache $wpstack_vary_nocache;
			# Responses that set cookies or say private/no-store are never
			# stored (nginx's default, kept). One body per URL: the backend
			# is asked for no compression (see $wpstack_vary_nocache).
			proxy_set_header Accept-Encoding "";
			proxy_ignore_headers Vary;
			add_header X-Cache $wpstack_x_cache always;
{{- else}}
			add_header X-Cache BYPASS always;
{{- end}}
			# The edge alone says what the scheme, the client and the host
			# are: whatever a client sent in these headers is replaced.
			proxy_set_header Host "{{.Host}}";
			proxy_set_header X-Forwarded-Proto https;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_set_header X-Forwarded-Host "{{.Host}}";
			proxy_set_header X-Forwarded-Port "";
			proxy_set_header X-Real-IP $remote_addr;
			proxy_set_header Forwarded "";
			proxy_set_header X-Forwarded-Ssl "";
			proxy_set_header X-Forwarded-Scheme "";
			proxy_set_header X-Forwarded-Server "";
			proxy_set_header X-Url-Scheme "";
			proxy_set_header Front-End-Https "";
			proxy_set_header Proxy "";
			proxy_set_header Connection "";
			set $wpstack_backend {{.Backend}};
			proxy_pass http://$wpstack_backend;
		}
	}
{{- if .PurgeToken}}
	# The cache purge of site {{.Name}}: not published, so only the
	# containers on the edge's networks reach it, and only with the site's
	# token (the others' tokens are theirs). The plugin names the page by
	# its request URI as a client sends it, in a header: byte for byte the
	# key's, with no decoding on the way.
	server {
		listen {{$.Purge}};
		server_name {{join .Names " "}};
		access_log off;
		location = /.wpstack/purge {
			if ({{$.TokenHeader}} != "{{.PurgeToken}}") {
				return 403 "Forbidden\n";
			}
			proxy_cache_purge {{zone .Name}} "https|{{.Host}}|{{$.URIHeader}}";
		}
		location / {
			return 404 "Not Found\n";
		}
	}
{{- end}}
{{- end}}
{{end}}}
`))

// headerVar is nginx's variable for a request header.
func headerVar(h string) string {
	return "$http_" + strings.ReplaceAll(strings.ToLower(h), "-", "_")
}

// Backend is a site's web container as the edge reaches it.
func Backend(container string) string { return fmt.Sprintf("%s:%d", container, backendPort) }
