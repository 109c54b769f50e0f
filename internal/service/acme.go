package service

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wpstack/wpstack/internal/edge"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// ACMECAEnv names a PEM file of roots trusted, instead of the system's,
// for the ACME directory's HTTPS: a private CA (step-ca) or a test one
// (Pebble). It must be set for renewals too (the timer's environment).
const ACMECAEnv = "WPSTACK_ACME_CA_FILE"

// acmeRoots reads ACMECAEnv; nil when unset.
func acmeRoots() (*x509.CertPool, error) {
	file := os.Getenv(ACMECAEnv)
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", ACMECAEnv, file, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s=%s holds no PEM certificate", ACMECAEnv, file)
	}
	return pool, nil
}

// prepareACME gets the first certificate of a --tls acme site before
// anything of the site is made: the edge answers the CA's challenges for
// its names meanwhile (started for it when it is the first site; the
// site's name gets a 503 over HTTP and no HTTPS until then). When the CA
// refuses, the edge goes back to what it served and nothing of the site is
// made. A site whose certificate is still valid has nothing to wait for:
// its renewal is syncEdge's. The caller holds the edge lock.
func (s *Service) prepareACME(ctx context.Context, t any, spec site.Spec) error {
	if spec.TLS != site.TLSACME {
		return nil
	}
	e, ok := t.(edgeEngine)
	if !ok {
		return nil
	}
	m, err := s.acmeManager(e, spec)
	if err != nil {
		return err
	}
	if _, ok := m.ACMEValid(spec); ok {
		return nil
	}
	others, err := s.edgeSites(ctx, e.Client(), nil, spec.Name)
	if err != nil {
		return err
	}
	// Without a certificate the site is pending in the edge's configuration.
	_ = os.Remove(m.CertFile(spec.Name))
	if _, err := m.Sync(ctx, append(others, spec)); err != nil {
		return err
	}
	if _, ierr := m.IssueACME(ctx, spec); ierr != nil {
		if _, err := m.Sync(ctx, others); err != nil {
			events.Emit(ctx, "edge", events.Warning, "could not take the pending site off the edge: "+err.Error())
		}
		return ierr
	}
	return nil
}

func (s *Service) acmeManager(e edgeEngine, spec site.Spec) (*edge.Manager, error) {
	roots, err := acmeRoots()
	if err != nil {
		return nil, err
	}
	m := s.edgeManager(e, spec)
	m.ACMERoots = roots
	return m, nil
}

// RenewResult is one site in `wpstack edge renew`.
type RenewResult struct {
	Site       string    `json:"site"`
	Renewed    bool      `json:"renewed"`
	CertExpiry time.Time `json:"cert_expiry,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// renewDue renews the ACME certificates of sites that expire within
// before, through the running edge (it answers their challenges already).
// A failure while the current certificate is still valid is reported and
// left for the next try; the new certificates are loaded by the caller's
// Sync (a graceful reload, the edge is not restarted).
func (s *Service) renewDue(ctx context.Context, m *edge.Manager, sites []site.Spec, before time.Duration) []RenewResult {
	var out []RenewResult
	for _, sp := range sites {
		if sp.TLS != site.TLSACME {
			continue
		}
		r := RenewResult{Site: sp.Name}
		r.CertExpiry, _ = m.ACMEValid(sp)
		if !m.ACMEDue(sp, before) {
			out = append(out, r)
			continue
		}
		leaf, err := m.IssueACME(ctx, sp)
		if err != nil {
			r.Error = err.Error()
			msg := "renewal failed: " + err.Error()
			if !r.CertExpiry.IsZero() {
				msg += fmt.Sprintf("; the current certificate is served until %s, the next up or `wpstack edge renew` tries again", r.CertExpiry.UTC().Format("2006-01-02"))
			}
			events.Emit(ctx, "certificate "+sp.Name, events.Warning, msg)
		} else {
			r.Renewed, r.CertExpiry = true, leaf.NotAfter
		}
		out = append(out, r)
	}
	return out
}

// EdgeRenewOptions: `wpstack edge renew`.
type EdgeRenewOptions struct {
	// Before: renew what expires within it (default edge.RenewBefore, 30 days).
	Before time.Duration
}

// EdgeRenew renews the ACME certificates that are due (and the local CA's
// leaves under 30 days), then has the edge load them with a graceful
// reload. It fails when a renewal failed, after trying every site.
func (s *Service) EdgeRenew(ctx context.Context, opts EdgeRenewOptions) ([]RenewResult, error) {
	if opts.Before == 0 {
		opts.Before = edge.RenewBefore
	}
	unlock, err := s.store.Lock(ctx, edgeLock, func() {
		events.Emit(ctx, "edge", events.Info, "waiting for another wpstack command on the edge to finish")
	})
	if err != nil {
		return nil, err
	}
	defer unlock()
	names, err := s.store.List()
	if err != nil {
		return nil, err
	}
	var first *site.Spec
	for _, n := range names {
		if sp, err := s.store.Load(n); err == nil && sp.HasDomains() {
			first = &sp
			break
		}
	}
	if first == nil {
		return nil, nil
	}
	t, err := s.open(ctx, *first)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	e, ok := t.(edgeEngine)
	if !ok {
		return nil, fmt.Errorf("the sites' target has no edge to renew certificates on")
	}
	m, err := s.acmeManager(e, *first)
	if err != nil {
		return nil, err
	}
	sites, err := s.edgeSites(ctx, e.Client(), nil, "")
	if err != nil {
		return nil, err
	}
	if len(sites) == 0 {
		return nil, nil
	}
	// The edge must run and answer the challenges first (a stopped edge is
	// started); the second Sync loads what was renewed.
	if _, err := m.Sync(ctx, sites); err != nil {
		return nil, err
	}
	res := s.renewDue(ctx, m, sites, opts.Before)
	if _, err := m.Sync(ctx, sites); err != nil {
		return res, err
	}
	var failed []error
	for _, r := range res {
		if r.Error != "" {
			failed = append(failed, errors.New(r.Error))
		}
	}
	if len(failed) > 0 {
		return res, fmt.Errorf("%d renewal(s) failed: %w", len(failed), errors.Join(failed...))
	}
	return res, nil
}
