package service

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// exportEdgeDirName is the folder, in the site's state folder, that holds
// the edge configuration, certificate and key an export mounts.
const exportEdgeDirName = "edge-export"

func (s *Service) exportEdgeDir(name string) string {
	return filepath.Join(s.store.SiteDir(name), exportEdgeDirName)
}

// exportEdge puts the edge in the plan of a site with domains, the same
// nginx image and configuration wpstack's edge serves it with, for this
// site alone: the configuration, certificate and key go to files in the
// state directory (0600), which the export mounts; none is in the export.
func (s *Service) exportEdge(spec site.Spec, p *types.Project, image string) error {
	if !spec.HasDomains() {
		return nil
	}
	m := &edge.Manager{Root: s.store.Root, SaltsFile: func(name string) string { return s.store.SecretPath(name, state.SecretWPSalts) }}
	// The compose project's web service, by its name on the edge network.
	ex, err := m.WriteExport(s.exportEdgeDir(spec.Name), spec, edge.Backend(site.ServiceWeb))
	if err != nil {
		return fmt.Errorf("export the edge of site %q: %w", spec.Name, err)
	}
	return plan.AddExportEdge(spec, p, plan.ExportEdgeOptions{
		Image: image, ConfDir: ex.Dir, ConfTarget: edge.ConfDir, User: ex.User,
		ListenHTTP: edge.ListenHTTP, ListenHTTPS: edge.ListenHTTPS, CacheDir: edge.CacheDir,
	})
}

// edgeHeader says in an export's header how the site is fronted.
func (s *Service) edgeHeader(spec site.Spec) []string {
	if !spec.HasDomains() {
		return nil
	}
	return []string{
		fmt.Sprintf("The edge: service %q (nginx, the image wpstack's edge runs) serves %s on HTTP %d and HTTPS %d,", plan.ServiceDomainEdge, strings.Join(spec.Domains, ", "), spec.HTTPPort, spec.HTTPSPort),
		"as wpstack's edge does: HTTP redirects to HTTPS, the full-page cache, the login brake; the web service publishes no port.",
		"Its configuration (nginx.conf), the site's certificate and private key are files in " + s.exportEdgeDir(spec.Name) + " (mode 0600),",
		"mounted read-only; no key is in this file. Run `wpstack export` again after a certificate renewal.",
		fmt.Sprintf("While wpstack serves any site with a domain, its edge holds ports %d and %d: wpstack down every such site first.", spec.HTTPPort, spec.HTTPSPort),
	}
}

// edgeREADME is the dir export README's section on the edge.
func edgeREADME(spec site.Spec, confDir string) string {
	if !spec.HasDomains() {
		return ""
	}
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("\n## The edge\n\n")
	w("The site is served under %s through the service `%s`: nginx built from\n", strings.Join(spec.Domains, ", "), plan.ServiceDomainEdge)
	w("`./%s`, the recipe of wpstack's own edge, publishing HTTP on %d and HTTPS on %d.\n", images.RoleEdgeNginx, spec.HTTPPort, spec.HTTPSPort)
	w("It redirects HTTP to HTTPS, sets the forwarded headers itself (a client's are dropped),\n")
	w("caches anonymous pages (purged by the web image's plugin) and limits login POSTs, as wpstack's edge does.\n")
	w("The web service publishes no port and shares the internal network `%s` with the edge alone.\n\n", spec.EdgeNetworkName())
	w("Its configuration `nginx.conf` (this site alone), the site's certificate and its private key are\n")
	w("files in `%s` (mode 0600, owned by the edge's user), mounted read-only at /etc/wpstack-edge;\n", confDir)
	w("no key is in this folder. Export again after the certificate is renewed.\n")
	w("While wpstack serves any site with a domain, its edge holds ports %d and %d: `wpstack down` those sites first.\n", spec.HTTPPort, spec.HTTPSPort)
	return b.String()
}
