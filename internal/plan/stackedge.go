package plan

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// StackEdge makes a swarm site's edge the domain edge: TLS by SNI, routing
// by Host, the full-page cache and the login brake, one task per node
// publishing HTTP and HTTPS on the node itself (host mode: no routing
// mesh), on the site's edge network only (never the database's).
type StackEdge struct {
	HTTPPort, HTTPSPort int
	// HTTPTarget and HTTPSTarget are the ports the edge listens on inside
	// its task.
	HTTPTarget, HTTPSTarget uint32
	// Command runs the edge with its configuration read from a secret.
	Command []string
	// UID owns the secrets inside the task: the edge image's user, who
	// reads them (mode 0400).
	UID int
	// Secrets are the edge's configuration, certificate and key.
	Secrets []EdgeSecret
	// CacheDir is the cache zones' folder, a tmpfs of its own: nginx makes
	// each site's zone folder in it, but not the folder itself.
	CacheDir string
}

// EdgeSecret is one file the edge reads, handed over as a swarm secret.
type EdgeSecret struct {
	// Key names it in the stack; Name is the swarm secret's name. Swarm
	// secrets cannot change, so Name carries a hash of the content: a new
	// certificate is a new secret, and the edge rolls over to it.
	Key, Name string
	File      string // the host file (0600, under the state directory)
	Target    string // its path inside the edge task
}

func (e *StackEdge) validate() error {
	if e == nil {
		return nil
	}
	if e.HTTPPort < 1 || e.HTTPSPort < 1 || e.HTTPTarget == 0 || e.HTTPSTarget == 0 || len(e.Command) == 0 || len(e.Secrets) == 0 {
		return fmt.Errorf("the domain edge needs its ports, command and secrets")
	}
	return nil
}

// StackPurgeURL is where a swarm site's purge plugin finds its edge: the
// name resolves to every edge task (DNS round robin on the edge network),
// and the plugin purges each one, so no task keeps a stale page.
func StackPurgeURL() string {
	return fmt.Sprintf("http://tasks.%s:%d", ServiceEdge, contract.EdgePurgePort)
}

func domainEdgeService(project string, opts StackOptions, out *types.Project) types.ServiceConfig {
	e := opts.Edge
	labels := map[string]string{site.LabelSite: project, site.LabelManaged: "true", site.LabelService: ServiceEdge}
	s := types.ServiceConfig{Name: ServiceEdge}
	s.Labels = labels
	s.Entrypoint = append(types.ShellCommand(nil), e.Command...)
	s.Networks = map[string]*types.ServiceNetworkConfig{NetworkEdge: nil}
	lockDown(&s)
	if e.CacheDir != "" {
		s.Tmpfs = append(s.Tmpfs, e.CacheDir)
	}
	mode := types.FileMode(0o400)
	uid := fmt.Sprint(e.UID)
	for _, sec := range e.Secrets {
		out.Secrets[sec.Key] = types.SecretConfig{Name: sec.Name, File: sec.File, Labels: copyLabels(labels)}
		s.Secrets = append(s.Secrets, types.ServiceSecretConfig{Source: sec.Key, Target: sec.Target, UID: uid, GID: uid, Mode: &mode})
	}
	s.Ports = []types.ServicePortConfig{
		{Target: e.HTTPTarget, Published: fmt.Sprint(e.HTTPPort), Protocol: "tcp", Mode: "host"},
		{Target: e.HTTPSTarget, Published: fmt.Sprint(e.HTTPSPort), Protocol: "tcp", Mode: "host"},
	}
	s.Image = StackImage(opts.Registry, opts.EdgeImage)
	s.Deploy = edgeDeploy(labels, opts.UpdateDelay)
	return s
}
