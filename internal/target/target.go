// Package target is the seam between wpstack's verbs and where sites run.
// A Target takes a site's plan and makes it so on one Docker engine
// (internal/engine) or on a swarm (internal/swarm); the verbs in
// internal/service use only this interface, chosen once per command from
// the site's spec.
package target

import (
	"context"
	"errors"
	"io"
	"net/url"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/site"
)

// The one state vocabulary of sites and services on every target.
const (
	Running  = "running"  // every service runs (and is healthy where it has a check)
	Starting = "starting" // on its way: containers starting, tasks converging, an update rolling
	Degraded = "degraded" // something that should run does not
	Down     = "down"     // nothing runs
)

// ServiceStatus is one service of a site as its target sees it. Fields a
// target has no notion of stay empty.
type ServiceStatus struct {
	Name      string         `json:"name"`
	Container string         `json:"container,omitempty"` // one engine: the container's name
	Image     string         `json:"image,omitempty"`
	Running   int            `json:"running"`
	Desired   int            `json:"desired"`
	Health    string         `json:"health,omitempty"`
	State     string         `json:"state,omitempty"`
	Mode      string         `json:"mode,omitempty"`     // swarm: replicated or global
	PerNode   map[string]int `json:"per_node,omitempty"` // swarm: running tasks by node
	// UpdateState and UpdateMsg are a swarm rolling update's.
	UpdateState string   `json:"update_state,omitempty"`
	UpdateMsg   string   `json:"update_message,omitempty"`
	Placement   []string `json:"placement,omitempty"`
	Endpoint    string   `json:"endpoint_mode,omitempty"`
}

// Cluster is what a swarm adds to a site's status.
type Cluster struct {
	Nodes   int    `json:"nodes"`
	DBNode  string `json:"db_node"`
	DBLabel string `json:"db_node_label"`
}

// Status is a site as its target sees it.
type Status struct {
	State    string
	Services []ServiceStatus
	// WordPressVersion is the core the site runs, when the target can tell.
	WordPressVersion string
	Cluster          *Cluster
}

// Images are the images a site's plan runs, as the target's nodes name them.
type Images struct {
	images.Set
	// Edge is the swarm edge's image ("" on one engine).
	Edge string
	// EdgeFiles are a swarm site's domain edge files (nil without domains).
	EdgeFiles *EdgeFiles
}

// EdgeFiles are the host files a swarm site's own edge reads: its nginx
// configuration, certificate and key (0600, under the state directory).
type EdgeFiles struct{ Conf, Cert, Key string }

// LogsOptions select what `logs` shows.
type LogsOptions struct {
	Services []string // empty: every service
	Follow   bool
	Tail     string // "all" or a number
	Out      io.Writer
}

// RemoveOptions say how much of a site to remove.
type RemoveOptions struct {
	// Volumes also removes the site's data (named volumes, swarm secrets,
	// the database's node label); host folders are never removed.
	Volumes bool
}

// BuildOptions are what a target needs to build images.
type BuildOptions struct {
	images.Options
	// WebImage runs this web image instead of the built one.
	WebImage string
}

// ErrNoExec is wrapped when a target cannot run a command where a
// service's data is.
var ErrNoExec = errors.New("cannot run commands in this site's services from here")

// Target runs sites. Every method takes the site's spec; none prints.
type Target interface {
	// Kind is the site.Target* value the target implements.
	Kind() string
	// Check refuses, before anything is built or written, a site the
	// target cannot run (a held port, a cluster without a registry...).
	// fresh: the site's web service does not run yet.
	Check(ctx context.Context, s site.Spec) error
	// Build makes the images the site needs available where it runs.
	Build(ctx context.Context, s site.Spec, opts BuildOptions) (Images, error)
	// Plan is the site's desired state on this target.
	Plan(s site.Spec, img Images, secretsDir string) (*types.Project, error)
	// Deploy converges what runs to the plan: creates what is missing,
	// re-creates what changed, leaves the rest, removes what the plan no
	// longer has; then waits until the site is ready to serve.
	Deploy(ctx context.Context, s site.Spec, p *types.Project) error
	// Status reports the site's services and overall state.
	Status(ctx context.Context, s site.Spec) (Status, error)
	// Logs streams the site's logs, each line prefixed by its service.
	Logs(ctx context.Context, s site.Spec, opts LogsOptions) error
	// Exec runs cmd as user in the site's service and returns its combined
	// output and exit code (ErrNoExec where the target cannot).
	Exec(ctx context.Context, s site.Spec, service, user string, cmd []string) (string, int, error)
	// Remove stops and removes the site's services and networks, and with
	// Volumes its data. It is not an error when they are already gone.
	Remove(ctx context.Context, s site.Spec, opts RemoveOptions) error
	// Endpoint is the base URL at which this process reaches the site.
	Endpoint(s site.Spec) string
	// Resources lists what the target holds of the site (for destroy).
	Resources(ctx context.Context, s site.Spec) ([]string, error)
	// Close releases the target's connection.
	Close() error
}

// ReachHost is where this process reaches ports a target publishes: the
// host of a tcp:// or ssh:// DOCKER_HOST, else fallback.
func ReachHost(dockerHost, fallback string) string {
	if u, err := url.Parse(dockerHost); err == nil && (u.Scheme == "tcp" || u.Scheme == "ssh") && u.Hostname() != "" {
		return u.Hostname()
	}
	return fallback
}
