package edge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Lifetimes of what the local CA signs, and when a leaf is renewed.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 90 * 24 * time.Hour
	RenewBefore  = 30 * 24 * time.Hour
)

// CA is wpstack's own certificate authority for --tls local: made once per
// state directory, offline, and trusted by whoever imports its root.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// CertFile is the root's PEM file (what users trust).
	CertFile string
}

// CAPaths are the root's certificate and key under dir.
func CAPaths(dir string) (cert, key string) {
	return filepath.Join(dir, "root.crt"), filepath.Join(dir, "root.key")
}

// LoadOrCreateCA returns the CA kept in dir, making it on first use: an
// ECDSA P-256 key (0600) and a self-signed root valid ten years.
func LoadOrCreateCA(dir string, now time.Time) (*CA, error) {
	certFile, keyFile := CAPaths(dir)
	if _, err := os.Stat(certFile); err == nil {
		return loadCA(certFile, keyFile)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the local CA: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the local CA's folder %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate the local CA's key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"wpstack local CA"}, CommonName: "wpstack local CA " + host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("sign the local CA's root: %w", err)
	}
	keyPEM, err := keyToPEM(key)
	if err != nil {
		return nil, err
	}
	// The key first: a root without its key would be useless.
	if err := writeFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	return loadCA(certFile, keyFile)
}

func loadCA(certFile, keyFile string) (*CA, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load the local CA (%s): %w; if it is damaged, move the folder away and run up again to make a new one (then trust the new root)", filepath.Dir(certFile), err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("parse the local CA's root %s: %w", certFile, err)
	}
	signer, ok := pair.PrivateKey.(crypto.Signer)
	if !ok || !cert.IsCA {
		return nil, fmt.Errorf("%s is not a CA certificate with a signing key", certFile)
	}
	return &CA{Cert: cert, Key: signer, CertFile: certFile}, nil
}

// Leaf is a site's certificate and key in PEM.
type Leaf struct {
	CertPEM, KeyPEM []byte
	NotAfter        time.Time
}

// Issue signs a leaf for names (the first is the subject's common name):
// a fresh ECDSA P-256 key, valid 90 days, for TLS servers only. The chain
// (leaf then root) is in CertPEM, as nginx wants it.
func (ca *CA) Issue(names []string, now time.Time) (Leaf, error) {
	if len(names) == 0 {
		return Leaf{}, errors.New("issue a certificate: no name")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Leaf{}, fmt.Errorf("generate a key for %s: %w", names[0], err)
	}
	serial, err := serialNumber()
	if err != nil {
		return Leaf{}, err
	}
	notAfter := now.Add(leafLifetime)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return Leaf{}, fmt.Errorf("sign the certificate of %s: %w", names[0], err)
	}
	keyPEM, err := keyToPEM(key)
	if err != nil {
		return Leaf{}, err
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})...)
	return Leaf{CertPEM: chain, KeyPEM: keyPEM, NotAfter: notAfter}, nil
}

// NeedsRenewal says whether a site's certificate (PEM, leaf first) must be
// issued again for names: unreadable, renewing soon, or missing a name.
func NeedsRenewal(certPEM []byte, names []string, now time.Time) bool {
	leaf, err := firstCert(certPEM)
	if err != nil || now.Add(RenewBefore).After(leaf.NotAfter) {
		return true
	}
	for _, n := range names {
		if leaf.VerifyHostname(n) != nil {
			return true
		}
	}
	return false
}

// CheckPair checks a user's certificate and key before anything changes:
// both PEM, the key matches the certificate, every name is covered, and the
// certificate is valid now. It returns the leaf's expiry.
func CheckPair(certPEM, keyPEM []byte, names []string, now time.Time) (time.Time, error) {
	leaf, err := firstCert(certPEM)
	if err != nil {
		return time.Time{}, fmt.Errorf("the certificate: %w; give a PEM file (-----BEGIN CERTIFICATE-----, the site's certificate first, then its chain) with --cert", err)
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return time.Time{}, fmt.Errorf("the key does not go with the certificate (%v): give the private key of that certificate, PEM, unencrypted, with --key", err)
	}
	if now.After(leaf.NotAfter) {
		return time.Time{}, fmt.Errorf("the certificate expired on %s: renew it, then run up again", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if now.Before(leaf.NotBefore) {
		return time.Time{}, fmt.Errorf("the certificate is not valid before %s: check the host's clock or the certificate", leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	for _, n := range names {
		if err := leaf.VerifyHostname(n); err != nil {
			return time.Time{}, fmt.Errorf("the certificate does not cover %s (it covers %v): get one for every --domain, or drop that domain", n, leaf.DNSNames)
		}
	}
	return leaf.NotAfter, nil
}

// CertExpiry is the expiry of the first certificate of a PEM file.
func CertExpiry(certPEM []byte) (time.Time, error) {
	leaf, err := firstCert(certPEM)
	if err != nil {
		return time.Time{}, err
	}
	return leaf.NotAfter, nil
}

func firstCert(certPEM []byte) (*x509.Certificate, error) {
	rest := certPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no PEM certificate found")
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse the certificate: %w", err)
			}
			return c, nil
		}
	}
}

func keyToPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode a key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("draw a serial number: %w", err)
	}
	return n, nil
}

// writeFile writes atomically (a temporary file renamed over the target)
// with mode, so a reader never sees half a key.
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
