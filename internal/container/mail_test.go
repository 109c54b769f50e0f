package container

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

func TestPHPRuntime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     environ
		want    []string // lines of the ini
		wantErr string
		relay   []string // lines of msmtprc ("" = none written)
	}{
		{name: "defaults", env: environ{}, want: []string{`sendmail_path = "/usr/local/bin/wpstack-init sendmail"`}},
		{name: "settings", env: environ{contract.EnvPHPMemoryLimit: "512m", contract.EnvPHPUploadMax: "64M", contract.EnvPHPMaxExecTime: "120"},
			want: []string{"memory_limit = 512M", "upload_max_filesize = 64M", "post_max_size = 64M", "max_execution_time = 120"}},
		{name: "injected line", env: environ{contract.EnvPHPUploadMax: "64M\nsendmail_path=/bin/sh"}, wantErr: "PHP_UPLOAD_MAX"},
		{name: "mailbox in wp-content", env: environ{contract.EnvMailboxDir: "/var/www/html/wp-content/.wpstack-mail"},
			want: []string{`sendmail_path = "/usr/local/bin/wpstack-init sendmail --dir /var/www/html/wp-content/.wpstack-mail"`}},
		{name: "mailbox dir for a shell", env: environ{contract.EnvMailboxDir: "/m; rm -rf /"}, wantErr: "WPSTACK_MAILBOX_DIR"},
		{name: "mailbox dir relative", env: environ{contract.EnvMailboxDir: "mail"}, wantErr: "WPSTACK_MAILBOX_DIR"},
		{name: "bad seconds", env: environ{contract.EnvPHPMaxExecTime: "0"}, wantErr: "PHP_MAX_EXECUTION_TIME"},
		{name: "relay", env: environ{contract.EnvSMTPHost: "smtp.example.com:587", contract.EnvSMTPFrom: "blog@example.com",
			contract.EnvSMTPUser: "me", contract.EnvSMTPPasswordFile: "/run/wpstack/secrets/WPSTACK_SMTP_PASSWORD"},
			want:  []string{"sendmail_path = \"/usr/bin/msmtp -C "},
			relay: []string{"host smtp.example.com", "port 587", "from blog@example.com", "tls_starttls on", "tls_trust_file /etc/ssl/certs/ca-certificates.crt", "user me", `passwordeval "cat /run/wpstack/secrets/WPSTACK_SMTP_PASSWORD"`}},
		{name: "relay plain no auth", env: environ{contract.EnvSMTPHost: "10.0.0.5:25", contract.EnvSMTPFrom: "blog@example.com", contract.EnvSMTPTLS: "off"},
			relay: []string{"tls off", "auth off"}},
		{name: "relay tls", env: environ{contract.EnvSMTPHost: "smtp.example.com:465", contract.EnvSMTPFrom: "blog@example.com", contract.EnvSMTPTLS: "tls"},
			relay: []string{"tls on", "tls_starttls off"}},
		{name: "relay with its CA", env: environ{contract.EnvSMTPHost: "smtp.corp:587", contract.EnvSMTPFrom: "blog@corp.example", contract.EnvSMTPCAFile: "/run/wpstack/secrets/WPSTACK_SMTP_CA"},
			relay: []string{"tls_trust_file /run/wpstack/secrets/WPSTACK_SMTP_CA"}},
		{name: "password in clear", env: environ{contract.EnvSMTPHost: "h:25", contract.EnvSMTPFrom: "a@b.c", contract.EnvSMTPTLS: "off", contract.EnvSMTPUser: "me", contract.EnvSMTPPasswordFile: "/p"}, wantErr: "unencrypted"},
		{name: "relay without from", env: environ{contract.EnvSMTPHost: "smtp.example.com:587"}, wantErr: "WPSTACK_SMTP_FROM"},
		{name: "relay bad host", env: environ{contract.EnvSMTPHost: "smtp.example.com\nhost evil:25", contract.EnvSMTPFrom: "a@b.c"}, wantErr: "HOST:PORT"},
		{name: "user without password", env: environ{contract.EnvSMTPHost: "h:25", contract.EnvSMTPFrom: "a@b.c", contract.EnvSMTPUser: "me"}, wantErr: "WPSTACK_SMTP_PASSWORD_FILE"},
		{name: "bad tls", env: environ{contract.EnvSMTPHost: "h:25", contract.EnvSMTPFrom: "a@b.c", contract.EnvSMTPTLS: "yes"}, wantErr: "WPSTACK_SMTP_TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := phpRuntime(tc.env, dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out[phpIniScanDir] != ":"+dir {
				t.Errorf("PHP_INI_SCAN_DIR = %q, want PHP's own folder then %s", out[phpIniScanDir], dir)
			}
			ini, err := os.ReadFile(filepath.Join(dir, phpRuntimeIni))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(ini), w) {
					t.Errorf("ini lacks %q:\n%s", w, ini)
				}
			}
			rc, err := os.ReadFile(filepath.Join(dir, "msmtprc"))
			if len(tc.relay) == 0 {
				if err == nil {
					t.Errorf("msmtprc written without a relay")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(filepath.Join(dir, "msmtprc")); fi.Mode().Perm() != 0o600 {
				t.Errorf("msmtprc mode %v, want 0600 (msmtp refuses others)", fi.Mode().Perm())
			}
			for _, w := range tc.relay {
				if !strings.Contains(string(rc), w+"\n") {
					t.Errorf("msmtprc lacks %q:\n%s", w, rc)
				}
			}
		})
	}
	t.Run("keeps a scan dir set by the user", func(t *testing.T) {
		dir := t.TempDir()
		out, err := phpRuntime(environ{phpIniScanDir: "/usr/local/etc/php/conf.d"}, dir)
		if err != nil {
			t.Fatal(err)
		}
		if out[phpIniScanDir] != "/usr/local/etc/php/conf.d:"+dir {
			t.Errorf("PHP_INI_SCAN_DIR = %q", out[phpIniScanDir])
		}
	})
}

func TestMailbox(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	msgs := []string{
		"To: alice@example.com\r\nSubject: =?UTF-8?B?W0Jsb2ddIFBhc3N3b3JkIFJlc2V0?=\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nFrom: WordPress <wordpress@example.com>\r\n\r\nSomeone has requested a password reset.\r\n",
		"To: bob@example.com\nSubject: second\x1b[31m red\n\nbody\n",
		"not a message at all",
	}
	for i, m := range msgs {
		if _, err := storeMessage(dir, strings.NewReader(m), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
		t.Errorf("tmp/ keeps %d files after delivery", len(left))
	}
	got, err := listMail(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("listed %d messages, want 3", len(got))
	}
	if got[0].N != 1 || got[0].To != "alice@example.com" || got[0].Subject != "[Blog] Password Reset" || !got[0].Date.Equal(t0) {
		t.Errorf("first message = %+v", got[0])
	}
	if strings.ContainsRune(got[1].Subject, 0x1b) {
		t.Errorf("a control character reaches the listing: %q", got[1].Subject)
	}
	if got[2].Subject == "" || got[2].Size != int64(len(msgs[2])) {
		t.Errorf("an unparsable message is not listed by its file: %+v", got[2])
	}
	// show prints the message as kept.
	var out bytes.Buffer
	if code, err := runMailboxIn(dir, []string{"show", "1"}, &out); err != nil || code != 0 || out.String() != msgs[0] {
		t.Errorf("show 1 = %d %v %q", code, err, out.String())
	}
	if code, err := runMailboxIn(dir, []string{"show", "4"}, &out); err == nil || code == 0 {
		t.Error("show 4 of 3 succeeded")
	}
	if _, err := storeMessage(dir, strings.NewReader(""), t0); err == nil {
		t.Error("an empty message was kept")
	}
	if _, err := storeMessage(filepath.Join(dir, "new", "x", "\x00"), strings.NewReader("x"), t0); err == nil {
		t.Error("a message was reported kept in a mailbox that cannot be made")
	}
}

// A swarm site's mailbox is under the webroot: sendmail and mailbox take
// it with a leading --dir, and it refuses web requests.
func TestMailboxDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wp-content", ".wpstack-mail")
	var errb bytes.Buffer
	msg := "To: a@example.com\nSubject: reset\n\nlink\n"
	if code := runSendmail([]string{"--dir", dir, "-t", "-i", "-f", "wordpress@example.com"}, strings.NewReader(msg), &errb); code != 0 {
		t.Fatalf("sendmail --dir = %d: %s", code, errb.String())
	}
	ht, err := os.ReadFile(filepath.Join(dir, ".htaccess"))
	if err != nil || !strings.Contains(string(ht), "Require all denied") {
		t.Errorf("the mailbox's .htaccess = %q, %v", ht, err)
	}
	var out bytes.Buffer
	if code, err := runMailbox([]string{"--dir", dir, "show", "1"}, &out); err != nil || code != 0 || out.String() != msg {
		t.Errorf("mailbox --dir show 1 = %d %v %q", code, err, out.String())
	}
	out.Reset()
	if code, err := runMailbox([]string{"--dir", dir, "list"}, &out); err != nil || code != 0 || !strings.Contains(out.String(), `"subject":"reset"`) || strings.Contains(out.String(), "htaccess") {
		t.Errorf("mailbox --dir list = %d %v %s", code, err, out.String())
	}
	for _, args := range [][]string{{"--dir"}, {"--dir", "rel", "list"}, {"--dir", "/a/../b", "list"}} {
		if code, err := runMailbox(args, &out); err == nil || code == 0 {
			t.Errorf("mailbox %q succeeded", args)
		}
	}
	// A --dir PHP appends (mail()'s additional parameters) is not the mailbox.
	if dir, rest, err := mailboxArgs([]string{"-f", "x@y", "--dir", "/tmp"}); err != nil || dir != mailboxDir || len(rest) != 4 {
		t.Errorf("mailboxArgs took a later --dir: %s %v %v", dir, rest, err)
	}
}
