package edge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// A swarm site's edge is a service of its own stack: one nginx task per
// node, on the site's edge network only, reading its configuration,
// certificate and key as swarm secrets (never from an image, the
// environment or a config, which `docker config inspect` shows).
const (
	// StackBackend is the site's web tasks as the stack's edge resolves
	// them: Docker's DNS answers tasks.web with every task's address on the
	// edge network (no VIP, which needs IPVS).
	StackBackend = "tasks." + site.ServiceWeb
	// StackConfFile, StackCertFile and StackKeyFile are the secrets'
	// targets inside an edge task.
	StackConfFile = contract.SecretsDir + "/edge-nginx.conf"
	StackCertFile = contract.SecretsDir + "/edge-tls.crt"
	StackKeyFile  = contract.SecretsDir + "/edge-tls.key"
)

// StackConfig is the nginx.conf of a swarm site's own edge: the one site,
// its web tasks as the backend, its pair read from the secrets' targets.
func StackConfig(s site.Spec, salts []byte) ([]byte, error) {
	if !s.HasDomains() {
		return nil, fmt.Errorf("edge of site %q: the site has no domain", s.Name)
	}
	st, err := siteFor(s, fmt.Sprintf("%s:%d", StackBackend, backendPort), salts, map[string]int64{})
	if err != nil {
		return nil, err
	}
	st.CertFile, st.KeyFile = StackCertFile, StackKeyFile
	return Render(Config{HTTPSPort: s.HTTPSPort, Sites: []Site{st}})
}

// StackFiles makes or checks a swarm site's certificate as Sync does (a
// leaf of the local CA, or the user's pair checked again) and renders its
// edge's configuration. It returns the host files (0600, under the state
// directory) that become the edge's secrets: configuration, certificate,
// key. salts are the site's salts file, its purge token's key.
func (m *Manager) StackFiles(ctx context.Context, s site.Spec, salts []byte) (conf, cert, key string, err error) {
	if err := m.prepareDirs(); err != nil {
		return "", "", "", err
	}
	if _, err := m.ensureCert(ctx, s); err != nil {
		return "", "", "", err
	}
	b, err := StackConfig(s, salts)
	if err != nil {
		return "", "", "", err
	}
	dir := filepath.Join(m.Dir(), "stacks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", "", fmt.Errorf("create the swarm edges' folder %s: %w", dir, err)
	}
	conf = filepath.Join(dir, s.Name+".conf")
	if err := writeFile(conf, b, 0o600); err != nil {
		return "", "", "", err
	}
	certs := filepath.Join(m.ConfHostDir(), certsSubdir)
	return conf, filepath.Join(certs, s.Name+".crt"), filepath.Join(certs, s.Name+".key"), nil
}
