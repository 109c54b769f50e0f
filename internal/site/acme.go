package site

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// LetsEncrypt is the ACME directory of --tls acme without --acme-directory:
// Let's Encrypt's production CA.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// validateACME checks the ACME fields of a site with --tls acme: a contact
// address the CA can write to about expiry, and an https directory URL.
func (s *Spec) validateACME() error {
	if s.ACMEEmail == "" {
		return fmt.Errorf("--tls acme needs --acme-email ADDRESS: the CA's account contact (it writes there about expiring certificates)")
	}
	if a, err := mail.ParseAddress(s.ACMEEmail); err != nil || a.Address != s.ACMEEmail || !strings.Contains(s.ACMEEmail[strings.LastIndex(s.ACMEEmail, "@"):], ".") {
		return fmt.Errorf("invalid --acme-email %q: give an address like me@example.com", s.ACMEEmail)
	}
	u, err := url.Parse(s.ACMEDirectory)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("invalid --acme-directory %q: give the https URL of an ACME directory (default %s)", s.ACMEDirectory, LetsEncrypt)
	}
	if s.CertFile != "" || s.KeyFile != "" {
		return fmt.Errorf("--cert and --key go with --tls cert; with --tls acme the CA issues the certificate")
	}
	return nil
}
