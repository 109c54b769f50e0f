package site

import (
	"strings"
	"testing"
)

func TestRuntimeValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		php   PHPSettings
		smtp  SMTP
		want  string // "" = valid
		check func(t *testing.T, s Spec)
	}{
		{name: "none"},
		{name: "sizes canonical", php: PHPSettings{MemoryLimit: "512m", UploadMax: "64M", MaxExecutionTime: 120}, check: func(t *testing.T, s Spec) {
			if s.PHP.MemoryLimit != "512M" {
				t.Errorf("memory limit %q, want 512M", s.PHP.MemoryLimit)
			}
		}},
		{name: "memory without unit", php: PHPSettings{MemoryLimit: "512"}, want: "--php-memory-limit"},
		{name: "memory too low", php: PHPSettings{MemoryLimit: "16M"}, want: "between 32M and 16G"},
		{name: "memory unlimited", php: PHPSettings{MemoryLimit: "-1"}, want: "is not a size"},
		{name: "upload injection", php: PHPSettings{UploadMax: "64M\nsendmail_path=x"}, want: "--upload-max"},
		{name: "upload too big", php: PHPSettings{UploadMax: "5G"}, want: "between 1M and 4G"},
		{name: "time too long", php: PHPSettings{MaxExecutionTime: 7200}, want: "between 1 and 3600"},
		{name: "time negative", php: PHPSettings{MaxExecutionTime: -1}, want: "--php-max-execution-time"},
		{name: "relay", smtp: SMTP{Host: "smtp.example.com:587", User: "me@example.com", From: "blog@example.com"}, check: func(t *testing.T, s Spec) {
			if s.SMTP.TLS != SMTPStartTLS {
				t.Errorf("tls %q, want the default starttls", s.SMTP.TLS)
			}
		}},
		{name: "relay without port", smtp: SMTP{Host: "smtp.example.com", From: "a@b.example"}, want: "HOST:PORT"},
		{name: "relay bad port", smtp: SMTP{Host: "smtp.example.com:99999", From: "a@b.example"}, want: "between 1 and 65535"},
		{name: "relay without from", smtp: SMTP{Host: "smtp.example.com:25"}, want: "--smtp-from"},
		{name: "from with name", smtp: SMTP{Host: "smtp.example.com:25", From: "Blog <a@b.example>"}, want: "bare address"},
		{name: "user with space", smtp: SMTP{Host: "smtp.example.com:25", From: "a@b.example", User: "a b"}, want: "--smtp-user"},
		{name: "bad tls", smtp: SMTP{Host: "smtp.example.com:25", From: "a@b.example", TLS: "ssl"}, want: "starttls (default), tls"},
		{name: "password in clear", smtp: SMTP{Host: "smtp.example.com:25", From: "a@b.example", User: "me", TLS: "off"}, want: "unencrypted"},
		{name: "bad version", smtp: SMTP{Host: "smtp.example.com:25", From: "a@b.example", PasswordID: "../x"}, want: "password_id"},
		{name: "user without relay", smtp: SMTP{User: "me"}, want: "add --smtp HOST:PORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Spec{Name: "blog", PHP: tc.php, SMTP: tc.smtp}
			s.ApplyDefaults()
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestNginxSize(t *testing.T) {
	if got := NginxSize("64M"); got != "64m" {
		t.Errorf("NginxSize(64M) = %q", got)
	}
	if got := NginxSize(""); got != "" {
		t.Errorf("NginxSize() = %q", got)
	}
}
