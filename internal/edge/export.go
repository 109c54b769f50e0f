package edge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wpstack/wpstack/internal/site"
)

// siteConfig is how the edge serves s: names, limits, purge token (from
// its salts), cache bound (noted in cacheBytes) and redirects.
func (m *Manager) siteConfig(s site.Spec, backend string, cacheBytes map[string]int64) (Site, error) {
	if m.SaltsFile == nil {
		return Site{}, fmt.Errorf("edge of site %q: no salts file to derive its purge token from", s.Name)
	}
	salts, err := os.ReadFile(m.SaltsFile(s.Name))
	if err != nil {
		return Site{}, fmt.Errorf("read the salts of site %q for its purge token: %w", s.Name, err)
	}
	return siteFor(s, backend, salts, cacheBytes)
}

// siteFor is how an edge serves s with its web at backend, its purge token
// derived from salts.
func siteFor(s site.Spec, backend string, salts []byte, cacheBytes map[string]int64) (Site, error) {
	n, unit, err := site.ParseLoginRate(s.LoginRate)
	if err != nil {
		return Site{}, fmt.Errorf("site %q: %w", s.Name, err)
	}
	if len(salts) == 0 {
		return Site{}, fmt.Errorf("edge of site %q: no salts to derive its purge token from", s.Name)
	}
	rate, burst, retry := LoginLimit(n, unit)
	es := Site{Name: s.Name, Names: s.Domains, Backend: backend, Host: s.CanonicalHost(), HSTS: s.HSTS, Cache: s.Cache == site.CacheOn,
		LoginRate: rate, LoginBurst: burst, LoginRetryAfter: retry, PurgeToken: PurgeToken(salts),
		Redirects: Redirects(site.WWWRedirects(s.Domains, s.WWWRedirect)), BodyMax: site.NginxSize(s.PHP.UploadMax)}
	if err := es.cacheFrom(s, cacheBytes); err != nil {
		return Site{}, err
	}
	return es, nil
}

// CacheDir is the cache's tmpfs inside the edge.
const CacheDir = cacheDir

// Export is the edge of one site as an export carries it.
type Export struct {
	// Dir is the host folder to mount read-only at ConfDir: nginx.conf,
	// certs/SITE.crt and certs/SITE.key, 0600, the edge user's.
	Dir string
	// User is who runs nginx: "" (the image's user) or uid:gid.
	User string
}

// WriteExport writes into dir (made when missing; a previous export's
// files replaced) the configuration the edge would serve s alone with, its web
// reached at backend, and the certificate and key the edge serves s with
// now. The key is copied as a file, never printed.
func (m *Manager) WriteExport(dir string, s site.Spec, backend string) (Export, error) {
	certs := filepath.Join(m.ConfHostDir(), certsSubdir)
	cert, err := os.ReadFile(filepath.Join(certs, s.Name+".crt"))
	if errors.Is(err, fs.ErrNotExist) {
		return Export{}, fmt.Errorf("site %q has no certificate on the edge yet: run `wpstack up %s` once, then export it", s.Name, s.Name)
	}
	if err != nil {
		return Export{}, fmt.Errorf("read the certificate of site %q: %w", s.Name, err)
	}
	key, err := os.ReadFile(filepath.Join(certs, s.Name+".key"))
	if err != nil {
		return Export{}, fmt.Errorf("read the key of site %q: %w", s.Name, err)
	}
	es, err := m.siteConfig(s, backend, map[string]int64{})
	if err != nil {
		return Export{}, err
	}
	conf, err := Render(Config{HTTPSPort: s.HTTPSPort, Sites: []Site{es}})
	if err != nil {
		return Export{}, err
	}
	out := Export{Dir: dir, User: user()}
	for _, d := range []string{dir, filepath.Join(dir, certsSubdir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return out, fmt.Errorf("create %s: %w", d, err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return out, fmt.Errorf("set the mode of %s: %w", d, err)
		}
		if os.Geteuid() == 0 {
			if err := os.Chown(d, UID, UID); err != nil {
				return out, fmt.Errorf("give %s to the edge's user: %w", d, err)
			}
		}
	}
	for rel, b := range map[string][]byte{"nginx.conf": conf, filepath.Join(certsSubdir, s.Name+".crt"): cert, filepath.Join(certsSubdir, s.Name+".key"): key} {
		if err := writeFileIn(dir, rel, b); err != nil {
			return out, err
		}
	}
	return out, nil
}

// writeFileIn writes a file the edge reads under dir: 0600, its user's.
func writeFileIn(dir, rel string, data []byte) error {
	p := filepath.Join(dir, rel)
	if err := writeFile(p, data, 0o600); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(p, UID, UID); err != nil {
			return fmt.Errorf("give %s to the edge's user: %w", p, err)
		}
	}
	return nil
}
