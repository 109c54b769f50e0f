package edge

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLocalCA(t *testing.T) {
	dir := t.TempDir() + "/ca"
	now := time.Now()
	ca, err := LoadOrCreateCA(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	_, keyFile := CAPaths(dir)
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("CA key mode: %v %v", fi.Mode(), err)
	}
	if ca.Cert.NotAfter.Sub(now) < 9*365*24*time.Hour || !ca.Cert.IsCA {
		t.Errorf("root: CA %v, until %s", ca.Cert.IsCA, ca.Cert.NotAfter)
	}
	again, err := LoadOrCreateCA(dir, now)
	if err != nil || !again.Cert.Equal(ca.Cert) {
		t.Fatalf("the CA is made again instead of reused: %v", err)
	}

	names := []string{"shop.test", "www.shop.test"}
	leaf, err := ca.Issue(names, now)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(pair.Certificate[0])
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	for _, n := range names {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: n, Roots: roots}); err != nil {
			t.Errorf("leaf does not verify for %s: %v", n, err)
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: "other.test", Roots: roots}); err == nil {
		t.Error("leaf verifies for a name it was not issued for")
	}
	if d := leaf.NotAfter.Sub(now); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("leaf lifetime %s, want 90 days", d)
	}
	if NeedsRenewal(leaf.CertPEM, names, now) {
		t.Error("a fresh leaf needs renewal")
	}
	if !NeedsRenewal(leaf.CertPEM, names, now.Add(61*24*time.Hour)) {
		t.Error("a leaf with 29 days left is not renewed")
	}
	if !NeedsRenewal(leaf.CertPEM, append(names, "new.shop.test"), now) {
		t.Error("a leaf missing a new domain is not renewed")
	}
	if !NeedsRenewal([]byte("garbage"), names, now) {
		t.Error("an unreadable certificate is not renewed")
	}
}

func TestCheckPair(t *testing.T) {
	now := time.Now()
	ca, err := LoadOrCreateCA(t.TempDir(), now)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := ca.Issue([]string{"wiki.corp", "www.wiki.corp"}, now)
	other, _ := ca.Issue([]string{"wiki.corp"}, now)
	old, _ := ca.Issue([]string{"wiki.corp"}, now.Add(-200*24*time.Hour))
	tests := []struct {
		name      string
		cert, key []byte
		names     []string
		want      string
	}{
		{"good", good.CertPEM, good.KeyPEM, []string{"wiki.corp", "www.wiki.corp"}, ""},
		{"key of another certificate", good.CertPEM, other.KeyPEM, []string{"wiki.corp"}, "does not go with the certificate"},
		{"name not covered", good.CertPEM, good.KeyPEM, []string{"wiki.corp", "docs.corp"}, "does not cover docs.corp"},
		{"expired", old.CertPEM, old.KeyPEM, []string{"wiki.corp"}, "expired"},
		{"not PEM", []byte("hello"), good.KeyPEM, []string{"wiki.corp"}, "no PEM certificate"},
		{"key not PEM", good.CertPEM, []byte("hello"), []string{"wiki.corp"}, "does not go with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckPair(tt.cert, tt.key, tt.names, now)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckPair = %v, want %q", err, tt.want)
			}
		})
	}
}
