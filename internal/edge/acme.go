package edge

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// The HTTP-01 challenge folder: written by wpstack under the edge's
// configuration folder, served by nginx at /.well-known/acme-challenge/
// for the names of every --tls acme site (see render.go).
const (
	challengeSubdir = "acme-challenge"
	challengeDir    = ConfDir + "/" + challengeSubdir + "/"
	// acmeTimeout bounds one issuance: the CA's validation of every name,
	// then the certificate.
	acmeTimeout = 5 * time.Minute
)

// ACMEDir holds the ACME accounts, one folder per directory URL.
func (m *Manager) ACMEDir() string { return filepath.Join(m.Dir(), "acme") }

// accountDir is the folder of the account at one ACME directory.
func (m *Manager) accountDir(directory string) string {
	sum := sha256.Sum256([]byte(directory))
	return filepath.Join(m.ACMEDir(), hex.EncodeToString(sum[:])[:16])
}

// CertFile is the host path of a site's certificate (chain) as the edge reads it.
func (m *Manager) CertFile(name string) string {
	return filepath.Join(m.ConfHostDir(), certsSubdir, name+".crt")
}

// ACMEDue says whether a --tls acme site needs a certificate now: none yet,
// unreadable, missing a name, or expiring within before.
func (m *Manager) ACMEDue(s site.Spec, before time.Duration) bool {
	b, err := os.ReadFile(m.CertFile(s.Name))
	if err != nil {
		return true
	}
	if _, err := os.Stat(filepath.Join(m.ConfHostDir(), certsSubdir, s.Name+".key")); err != nil {
		return true
	}
	return dueWithin(b, s.Domains, m.now(), before)
}

// ACMEValid says whether a site's current certificate can still be served:
// present, covering its names, not expired.
func (m *Manager) ACMEValid(s site.Spec) (time.Time, bool) {
	b, err := os.ReadFile(m.CertFile(s.Name))
	if err != nil {
		return time.Time{}, false
	}
	if _, err := os.Stat(filepath.Join(m.ConfHostDir(), certsSubdir, s.Name+".key")); err != nil {
		return time.Time{}, false
	}
	leaf, err := firstCert(b)
	if err != nil || !m.now().Before(leaf.NotAfter) {
		return time.Time{}, false
	}
	for _, n := range s.Domains {
		if leaf.VerifyHostname(n) != nil {
			return time.Time{}, false
		}
	}
	return leaf.NotAfter, true
}

func dueWithin(certPEM []byte, names []string, now time.Time, before time.Duration) bool {
	leaf, err := firstCert(certPEM)
	if err != nil || now.Add(before).After(leaf.NotAfter) {
		return true
	}
	for _, n := range names {
		if leaf.VerifyHostname(n) != nil {
			return true
		}
	}
	return false
}

// IssueACME gets a certificate for the site's names from its ACME
// directory over HTTP-01 and installs it (key first) where the edge reads
// it: the edge must already answer the site's challenges on its HTTP port
// (a served site, or a pending one, see Sync). The running nginx is not
// reloaded here: the next Sync does it.
func (m *Manager) IssueACME(ctx context.Context, s site.Spec) (Leaf, error) {
	ctx, cancel := context.WithTimeout(ctx, acmeTimeout)
	defer cancel()
	res := "certificate " + s.Name
	events.Emit(ctx, res, events.Working, fmt.Sprintf("asking %s for %s (HTTP-01 on port %d)", s.ACMEDirectory, strings.Join(s.Domains, ", "), s.HTTPPort))
	if err := m.prepareDirs(); err != nil {
		return Leaf{}, err
	}
	key, err := m.accountKey(s.ACMEDirectory)
	if err != nil {
		return Leaf{}, err
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if m.ACMERoots != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: m.ACMERoots, MinVersion: tls.VersionTLS12}
		hc.Transport = tr
	}
	cl := &acme.Client{Key: key, DirectoryURL: s.ACMEDirectory, HTTPClient: hc, UserAgent: "wpstack"}
	if _, err := cl.Discover(ctx); err != nil {
		return Leaf{}, fmt.Errorf("site %q: reach the ACME directory %s: %w; check that this host reaches it over HTTPS, or the URL given with --acme-directory", s.Name, s.ACMEDirectory, err)
	}
	if _, err := cl.Register(ctx, &acme.Account{Contact: []string{"mailto:" + s.ACMEEmail}}, acme.AcceptTOS); err != nil && !errors.Is(err, acme.ErrAccountAlreadyExists) {
		return Leaf{}, explainACME(s, "", "register an account", err)
	}
	order, err := cl.AuthorizeOrder(ctx, acme.DomainIDs(s.Domains...))
	if err != nil {
		return Leaf{}, explainACME(s, "", "order a certificate", err)
	}
	var tokens []string
	defer func() {
		for _, t := range tokens {
			_ = os.Remove(filepath.Join(m.ConfHostDir(), challengeSubdir, t))
		}
	}()
	var waiting []*acme.Authorization
	for _, u := range order.AuthzURLs {
		z, err := cl.GetAuthorization(ctx, u)
		if err != nil {
			return Leaf{}, explainACME(s, "", "read an authorization", err)
		}
		if z.Status == acme.StatusValid {
			continue
		}
		var chal *acme.Challenge
		for _, c := range z.Challenges {
			if c.Type == "http-01" {
				chal = c
			}
		}
		if chal == nil {
			return Leaf{}, fmt.Errorf("site %q: the CA at %s offers no HTTP-01 challenge for %s, the only one wpstack answers", s.Name, s.ACMEDirectory, z.Identifier.Value)
		}
		if !validToken(chal.Token) {
			return Leaf{}, fmt.Errorf("site %q: the CA sent a challenge token that is not base64url (%q)", s.Name, chal.Token)
		}
		body, err := cl.HTTP01ChallengeResponse(chal.Token)
		if err != nil {
			return Leaf{}, fmt.Errorf("site %q: the challenge response for %s: %w", s.Name, z.Identifier.Value, err)
		}
		if err := m.writeChallenge(chal.Token, body); err != nil {
			return Leaf{}, err
		}
		tokens = append(tokens, chal.Token)
		if err := m.waitChallenge(ctx, s, z.Identifier.Value, chal.Token, body); err != nil {
			return Leaf{}, err
		}
		if _, err := cl.Accept(ctx, chal); err != nil {
			return Leaf{}, explainACME(s, z.Identifier.Value, "start the validation", err)
		}
		waiting = append(waiting, z)
	}
	for _, z := range waiting {
		if _, err := cl.WaitAuthorization(ctx, z.URI); err != nil {
			return Leaf{}, explainACME(s, z.Identifier.Value, "validate "+z.Identifier.Value, err)
		}
	}
	orderURI := order.URI
	if order, err = cl.WaitOrder(ctx, orderURI); err != nil {
		return Leaf{}, explainACME(s, "", "complete the order", err)
	}
	if order.URI == "" {
		order.URI = orderURI
	}
	certKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Leaf{}, fmt.Errorf("generate a key for site %q: %w", s.Name, err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: s.Domains[0]}, DNSNames: s.Domains}, certKey)
	if err != nil {
		return Leaf{}, fmt.Errorf("make the certificate request of site %q: %w", s.Name, err)
	}
	ders, _, err := cl.CreateCertFromOrder(ctx, order, csr, true)
	if err != nil {
		return Leaf{}, explainACME(s, "", "get the certificate", err)
	}
	var chain []byte
	for _, d := range ders {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	keyPEM, err := keyToPEM(certKey)
	if err != nil {
		return Leaf{}, err
	}
	// What the CA sent must be a certificate for the key and every name.
	until, err := CheckPair(chain, keyPEM, s.Domains, m.now())
	if err != nil {
		return Leaf{}, fmt.Errorf("site %q: the CA's certificate: %w", s.Name, err)
	}
	if err := m.writeConf(filepath.Join(certsSubdir, s.Name+".key"), keyPEM); err != nil {
		return Leaf{}, err
	}
	if err := m.writeConf(filepath.Join(certsSubdir, s.Name+".crt"), chain); err != nil {
		return Leaf{}, err
	}
	serial := ""
	if leaf, err := firstCert(chain); err == nil {
		serial = leaf.SerialNumber.Text(16)
	}
	events.Emit(ctx, res, events.Done, fmt.Sprintf("issued by %s for %s, valid until %s (serial %s)", s.ACMEDirectory, strings.Join(s.Domains, ", "), until.UTC().Format("2006-01-02"), serial))
	return Leaf{CertPEM: chain, KeyPEM: keyPEM, NotAfter: until}, nil
}

// accountKey is the key of the account at directory, made on first use:
// ECDSA P-256, 0600, never logged.
func (m *Manager) accountKey(directory string) (crypto.Signer, error) {
	dir := m.accountDir(directory)
	file := filepath.Join(dir, "account.key")
	b, err := os.ReadFile(file)
	if err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("the ACME account key %s is not PEM: move it away to make a new account", file)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the ACME account key %s: %w; move it away to make a new account", file, err)
		}
		signer, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("the ACME account key %s cannot sign", file)
		}
		return signer, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the ACME account key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the ACME account folder %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate the ACME account key: %w", err)
	}
	p, err := keyToPEM(key)
	if err != nil {
		return nil, err
	}
	if err := writeFile(file, p, 0o600); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, "directory"), []byte(directory+"\n"), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// writeChallenge puts a challenge response where the edge serves it.
func (m *Manager) writeChallenge(token, body string) error {
	p := filepath.Join(m.ConfHostDir(), challengeSubdir, token)
	if err := writeFile(p, []byte(body), 0o644); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(p, UID, UID); err != nil {
			return fmt.Errorf("give %s to the edge's user: %w", p, err)
		}
	}
	return nil
}

// waitChallenge returns once the edge answers the challenge for name on
// this host, as the CA will ask it: before that, asking the CA to validate
// would fail for a reason of wpstack's own (an edge still starting).
func (m *Manager) waitChallenge(ctx context.Context, s site.Spec, name, token, body string) error {
	u := fmt.Sprintf("http://%s/.well-known/acme-challenge/%s", net.JoinHostPort(m.ReachHost, strconv.Itoa(s.HTTPPort)), token)
	hc := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Host = name
		resp, err := hc.Do(req)
		if err == nil {
			got, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(got)) == body {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("site %q: the edge does not answer the ACME challenge for %s on this host's port %d after a minute (last: %s); see `wpstack edge logs`", s.Name, name, s.HTTPPort, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// validToken: a token names a file, so only base64url characters.
func validToken(t string) bool {
	if t == "" || len(t) > 256 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// explainACME turns what the CA reported into what failed, what it said
// and the fix. name is the identifier being validated, when known.
func explainACME(s site.Spec, name, what string, err error) error {
	if name == "" {
		name = s.Domains[0]
	}
	if d, ok := acme.RateLimit(err); ok {
		when := "later"
		if d > 0 {
			when = fmt.Sprintf("after %s (in %s)", time.Now().Add(d).UTC().Format("2006-01-02 15:04 MST"), d.Round(time.Minute))
		}
		return fmt.Errorf("site %q: %s: the CA's rate limit is hit (it said: %s): retry %s; meanwhile nothing was changed", s.Name, what, problemDetail(err), when)
	}
	var ae *acme.AuthorizationError
	if errors.As(err, &ae) {
		if ae.Identifier != "" {
			name = ae.Identifier
		}
		for _, e := range ae.Errors {
			var pe *acme.Error
			if errors.As(e, &pe) {
				return problemFix(s, name, what, pe)
			}
		}
	}
	var oe *acme.OrderError
	if errors.As(err, &oe) && oe.Problem != nil {
		return problemFix(s, name, what, oe.Problem)
	}
	var pe *acme.Error
	if errors.As(err, &pe) {
		return problemFix(s, name, what, pe)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("site %q: %s: the CA did not finish within %s: run the command again later (%w)", s.Name, what, acmeTimeout, err)
	}
	return fmt.Errorf("site %q: %s at %s: %w", s.Name, what, s.ACMEDirectory, err)
}

// problemFix explains one ACME problem (RFC 8555 section 6.7) by its type.
func problemFix(s site.Spec, name, what string, pe *acme.Error) error {
	typ := pe.ProblemType
	for _, sp := range pe.Subproblems {
		if sp.Identifier != nil && sp.Identifier.Value != "" {
			name = sp.Identifier.Value
		}
		if sp.Type != "" {
			typ = sp.Type
		}
		break
	}
	said := problemDetail(pe)
	port := ""
	if s.HTTPPort != site.DefaultHTTPPort {
		port = fmt.Sprintf(" (forwarded to the edge's --http-port %d)", s.HTTPPort)
	}
	short := typ[strings.LastIndex(typ, ":")+1:]
	// Some CAs (Pebble) report a name without an address as a failed connection.
	if l := strings.ToLower(said); short == "connection" && (strings.Contains(l, "resolve") || strings.Contains(l, "nxdomain") || strings.Contains(l, "no valid ip")) {
		short = "dns"
	}
	switch short {
	case "dns":
		return fmt.Errorf("site %q: %s: %s does not resolve for the CA (it said: %s): give %s an A (or AAAA) record with this host's public address, wait until it is visible, then run up again", s.Name, what, name, said, name)
	case "connection":
		return fmt.Errorf("site %q: %s: the CA could not connect to http://%s/ on port 80 (it said: %s): port 80 of this host must be open to the internet%s and %s must point at this host; open the firewall or forward the port, then run up again", s.Name, what, name, said, port, name)
	case "unauthorized", "incorrectResponse":
		return fmt.Errorf("site %q: %s: the CA fetched http://%s/.well-known/acme-challenge/… and did not get this edge's answer (it said: %s): %s points at another machine, or something in front of this host answers port 80; point %s at this host, then run up again", s.Name, what, name, said, name, name)
	case "rejectedIdentifier", "caa", "unsupportedIdentifier":
		return fmt.Errorf("site %q: %s: the CA refuses to issue for %s (it said: %s): it must be a public name whose CAA records (if any) allow this CA; use --tls local for a private name", s.Name, what, name, said)
	case "rateLimited":
		return fmt.Errorf("site %q: %s: the CA's rate limit is hit (it said: %s): retry later; meanwhile nothing was changed", s.Name, what, said)
	case "tls":
		return fmt.Errorf("site %q: %s: the CA followed a redirect of http://%s/ to HTTPS and failed (it said: %s): something in front of this host redirects the challenge; let /.well-known/acme-challenge/ through on port 80", s.Name, what, name, said)
	case "invalidContact", "unsupportedContact":
		return fmt.Errorf("site %q: %s: the CA refuses the contact %s (it said: %s): give a working address with --acme-email", s.Name, what, s.ACMEEmail, said)
	}
	return fmt.Errorf("site %q: %s: the CA at %s refused (%s: %s)", s.Name, what, s.ACMEDirectory, typ, said)
}

// problemDetail is the CA's own words.
func problemDetail(err error) string {
	var pe *acme.Error
	if !errors.As(err, &pe) {
		return err.Error()
	}
	d := pe.Detail
	for _, sp := range pe.Subproblems {
		d += "; " + sp.Detail
	}
	if d == "" {
		d = pe.ProblemType
	}
	return d
}
