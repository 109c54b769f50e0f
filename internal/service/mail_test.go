package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

func TestMergeRuntime(t *testing.T) {
	have := site.Spec{PHP: site.PHPSettings{MemoryLimit: "256M", UploadMax: "64M"},
		SMTP: site.SMTP{Host: "a.example:587", User: "u", From: "f@example.com", TLS: "starttls", PasswordID: "abcd"}}
	for _, tc := range []struct {
		name string
		want site.Spec
		got  func(s site.Spec) bool
	}{
		{"nothing given keeps all", site.Spec{}, func(s site.Spec) bool { return s.PHP == have.PHP && s.SMTP == have.SMTP }},
		{"one setting", site.Spec{PHP: site.PHPSettings{MaxExecutionTime: 90}}, func(s site.Spec) bool {
			return s.PHP.MaxExecutionTime == 90 && s.PHP.UploadMax == "64M"
		}},
		{"a new relay replaces the old, keeping the password", site.Spec{SMTP: site.SMTP{Host: "b.example:25", From: "g@example.com"}}, func(s site.Spec) bool {
			return s.SMTP.Host == "b.example:25" && s.SMTP.User == "" && s.SMTP.PasswordID == "abcd"
		}},
		{"off removes the relay", site.Spec{SMTP: site.SMTP{Host: site.SMTPOff}}, func(s site.Spec) bool { return s.SMTP == site.SMTP{} }},
		{"from alone", site.Spec{SMTP: site.SMTP{From: "h@example.com"}}, func(s site.Spec) bool {
			return s.SMTP.From == "h@example.com" && s.SMTP.Host == "a.example:587"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := have
			mergeRuntime(&s, tc.want)
			if !tc.got(s) {
				t.Errorf("merged %+v %+v", s.PHP, s.SMTP)
			}
		})
	}
}

func TestStoreSMTPPassword(t *testing.T) {
	svc, err := New(Options{StateDir: t.TempDir(), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := func(content string) string {
		p := filepath.Join(dir, "pw")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	spec := site.Spec{Name: "blog", SMTP: site.SMTP{Host: "a.example:587", User: "u", From: "f@example.com"}}
	if err := svc.storeSMTPPassword(&spec, ""); err == nil || !strings.Contains(err.Error(), "--smtp-password-file") {
		t.Errorf("a user without a password: %v", err)
	}
	for _, bad := range []string{"", "\n", "two\nlines\n"} {
		if err := svc.storeSMTPPassword(&spec, file(bad)); err == nil {
			t.Errorf("password file %q accepted", bad)
		}
	}
	if err := svc.storeSMTPPassword(&spec, file("s3cret pw\n")); err != nil {
		t.Fatal(err)
	}
	first := spec.SMTP.PasswordID
	stored := svc.store.SecretPath("blog", contract.SecretSMTP)
	if b, _ := os.ReadFile(stored); string(b) != "s3cret pw\n" || first == "" {
		t.Errorf("stored %q with version %q", b, first)
	}
	if fi, _ := os.Stat(stored); fi.Mode().Perm() != 0o600 {
		t.Errorf("secret mode %v", fi.Mode().Perm())
	}
	if err := svc.storeSMTPPassword(&spec, ""); err != nil {
		t.Errorf("a stored password is not found again: %v", err)
	}
	_ = svc.storeSMTPPassword(&spec, file("another"))
	if spec.SMTP.PasswordID == first {
		t.Error("a new password keeps the old version: the web container would keep the old one")
	}
	noUser := site.Spec{Name: "blog", SMTP: site.SMTP{Host: "a.example:587", From: "f@example.com"}}
	if err := svc.storeSMTPPassword(&noUser, file("x")); err == nil || !strings.Contains(err.Error(), "--smtp-user") {
		t.Errorf("a password without a user: %v", err)
	}
}
