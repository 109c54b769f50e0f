//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPHPMail: one site for issue 14's PHP settings and mail. Without
// --smtp a password-reset mail is kept in the site's mailbox (wpstack
// mail); a 40 MB upload is refused by WordPress itself under the default
// limit and accepted with --upload-max 64M, which re-creates the web
// container only; with --smtp, the reset mail reaches a real SMTP server
// (Debian's exim4, logging in with CRAM-MD5) and the password is nowhere in
// the container's configuration or logs.
func TestPHPMail(t *testing.T) {
	e := newEnv(t)
	name := siteName("pm-site")
	e.cleanupSite(name)
	port := freePort(t)

	e.mustFail([]string{"--upload-max", "K, M or G"}, "up", name, "--port", fmt.Sprint(port), "--upload-max", "64X")
	e.mustFail([]string{"--smtp-from"}, "up", name, "--port", fmt.Sprint(port), "--smtp", "smtp.example.com:587")
	if got := e.labelled(name); len(got) != 0 {
		t.Fatalf("refused ups left resources: %v", got)
	}

	e.mustRun("up", name, "--port", fmt.Sprint(port))
	st := e.status(name)
	password := readFile(t, st.AdminPasswordFile)
	w := newWP(t, port)

	t.Run("without --smtp the reset mail is in wpstack mail", func(t *testing.T) {
		pmLostPassword(t, w)
		r := e.mustRun("mail", name, "--json")
		var res struct {
			Messages []struct {
				N       int    `json:"n"`
				To      string `json:"to"`
				Subject string `json:"subject"`
			} `json:"messages"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("mail --json: %v\n%s", err, r.stdout)
		}
		reset := 0
		for _, m := range res.Messages {
			if m.To == "admin@example.com" && strings.Contains(m.Subject, "Password Reset") {
				reset = m.N
			}
		}
		if reset == 0 {
			t.Fatalf("mailbox = %+v, want the reset mail to admin@example.com", res.Messages)
		}
		list := e.mustRun("mail", name).stdout
		if !strings.Contains(list, "admin@example.com") || !strings.Contains(list, "Password Reset") {
			t.Errorf("mail lists:\n%s", list)
		}
		msg := e.mustRun("mail", name, "--show", fmt.Sprint(reset)).stdout
		if !regexp.MustCompile(`wp-login\.php\?(action=rp&key=|login=)`).MatchString(msg) {
			t.Errorf("message %d has no reset link:\n%.2000s", reset, msg)
		}
		e.mustFail([]string{fmt.Sprintf("has %d messages, not 99", len(res.Messages))}, "mail", name, "--show", "99")
	})

	big := bytes.Repeat([]byte("wpstack-40MB-"), 40<<20/13+1)[:40<<20]
	t.Run("a 40 MB upload is refused cleanly by default", func(t *testing.T) {
		w.login("admin", password)
		status, body := pmUpload(t, w, "pm-big.txt", big)
		if status >= 500 {
			t.Fatalf("upload answered %d: %.600s", status, body)
		}
		// PHP drops a body over post_max_size before WordPress runs, so
		// WordPress finds no file and says so in its own JSON error.
		if !strings.Contains(body, `"success":false`) || !strings.Contains(body, `"message":`) {
			t.Fatalf("upload answered %d without WordPress's own error: %.600s", status, body)
		}
		logs := e.mustRun("logs", name, "--service", "web").stdout
		if !strings.Contains(logs, "exceeds the limit of 33554432 bytes") {
			t.Errorf("the web log does not say which limit refused the upload:\n%.3000s", logs)
		}
		if out, _ := ctDocker("exec", name+"-web-1", "sh", "-c", "ls /var/www/html/wp-content/uploads/*/*/pm-big* 2>/dev/null"); out != "" {
			t.Errorf("the refused upload was stored: %s", out)
		}
	})

	ctx := context.Background()
	db0, _ := e.cli.ContainerInspect(ctx, name+"-db-1")
	web0, _ := e.cli.ContainerInspect(ctx, name+"-web-1")
	e.mustRun("up", name, "--upload-max", "64M", "--php-memory-limit", "384M")
	t.Run("--upload-max 64M re-creates web only and lets it through", func(t *testing.T) {
		db1, _ := e.cli.ContainerInspect(ctx, name+"-db-1")
		web1, _ := e.cli.ContainerInspect(ctx, name+"-web-1")
		if db1.ID != db0.ID || db1.State.StartedAt != db0.State.StartedAt {
			t.Errorf("the database container was re-created or restarted for a PHP setting")
		}
		if web1.ID == web0.ID {
			t.Errorf("the web container was kept: the new limits cannot apply")
		}
		ini := ctMust(t, "exec", "-u", "www-data", name+"-web-1", "cat", "/run/wpstack/php/zz-wpstack-runtime.ini")
		for _, want := range []string{"upload_max_filesize = 64M", "post_max_size = 64M", "memory_limit = 384M"} {
			if !strings.Contains(ini, want) {
				t.Errorf("runtime ini lacks %q:\n%s", want, ini)
			}
		}
		w.login("admin", password)
		status, body := pmUpload(t, w, "pm-big.txt", big)
		if status != 200 || !strings.Contains(body, `"success":true`) {
			t.Fatalf("upload answered %d: %.600s", status, body)
		}
		size := ctMust(t, "exec", "-u", "www-data", name+"-web-1", "sh", "-c", "stat -c %s /var/www/html/wp-content/uploads/*/*/pm-big*.txt")
		if strings.TrimSpace(size) != fmt.Sprint(len(big)) {
			t.Errorf("stored upload is %q bytes, want %d", size, len(big))
		}
	})

	t.Run("with --smtp the reset mail reaches a real SMTP server", func(t *testing.T) {
		smtp, caFile := pmSMTPServer(t)
		pwFile := filepath.Join(t.TempDir(), "smtp-password")
		const smtpPassword = "pm-s3cret-Pw.42"
		if err := os.WriteFile(pwFile, []byte(smtpPassword+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		e.mustFail([]string{"--smtp-password-file"}, "up", name, "--smtp", smtp+":25", "--smtp-user", "pmuser", "--smtp-from", "blog@example.com")
		e.mustFail([]string{"unencrypted"}, "up", name, "--smtp", smtp+":25", "--smtp-user", "pmuser", "--smtp-password-file", pwFile, "--smtp-from", "blog@example.com", "--smtp-tls", "off")
		e.mustRun("up", name, "--smtp", smtp+":25", "--smtp-user", "pmuser", "--smtp-password-file", pwFile,
			"--smtp-from", "blog@example.com", "--smtp-tls", "starttls", "--smtp-ca-file", caFile)
		ctMust(t, "network", "connect", name+"_default", smtp)
		pmLostPassword(t, w)
		var got string
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			got, _ = ctDocker("exec", smtp, "sh", "-c", "cat /var/mail/pm/new/* 2>/dev/null")
			if strings.Contains(got, "Password Reset") {
				break
			}
			time.Sleep(time.Second)
		}
		if !strings.Contains(got, "Password Reset") || !strings.Contains(got, "admin@example.com") {
			log, _ := ctDocker("exec", smtp, "sh", "-c", "cat /var/log/exim4/*")
			t.Fatalf("the SMTP server received no reset mail; its log:\n%s\nreceived:\n%s", log, got)
		}
		if !strings.Contains(got, "From: blog@example.com") && !strings.Contains(got, "<blog@example.com>") {
			t.Errorf("the message does not come from --smtp-from:\n%.1500s", got)
		}
		if l := pmEximLog(smtp); !regexp.MustCompile(`X=TLS1\.[23]\S* .*A=plain:pmuser`).MatchString(l) {
			t.Errorf("exim did not log a login as pmuser over TLS:\n%s", l)
		}
		// The password is in no variable, label, command or log.
		ins := ctMust(t, "inspect", name+"-web-1")
		logs := e.mustRun("logs", name, "--service", "web").stdout
		rc := ctMust(t, "exec", "-u", "www-data", name+"-web-1", "cat", "/run/wpstack/php/msmtprc")
		for what, text := range map[string]string{"docker inspect": ins, "logs": logs, "msmtprc": rc} {
			if strings.Contains(text, smtpPassword) {
				t.Errorf("the SMTP password is in the web container's %s", what)
			}
		}
		if mode := ctMust(t, "exec", name+"-web-1", "stat", "-c", "%a %U", "/run/wpstack/php/msmtprc"); mode != "600 www-data" {
			t.Errorf("msmtprc is %s, want 600 www-data", mode)
		}
	})
}

// pmLostPassword asks WordPress for admin's password-reset mail, as the
// form on wp-login.php does, and checks WordPress says it was sent.
func pmLostPassword(t *testing.T, w *wp) {
	t.Helper()
	resp, body := w.do("POST", "/wp-login.php?action=lostpassword", url.Values{"user_login": {"admin"}, "redirect_to": {""}, "wp-submit": {"Get New Password"}}, nil, "")
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "checkemail=confirm") {
		msg := body
		if i := strings.Index(body, `id="login_error"`); i >= 0 {
			msg = body[i:]
		}
		t.Fatalf("lost password: %s, want a redirect to checkemail=confirm; page says: %.400s", resp.Status, msg)
	}
}

var pmNonceRE = regexp.MustCompile(`"_wpnonce":"([0-9a-f]+)"`)

// pmUpload uploads a file as wp-admin's media uploader does (async-upload.php,
// multipart) and returns the status and body. The action and nonce are in
// the query as well as the form: when PHP drops an over-limit body,
// WordPress still knows the request and answers with its own error.
func pmUpload(t *testing.T, w *wp, name string, data []byte) (int, string) {
	t.Helper()
	_, page := w.get("/wp-admin/media-new.php")
	m := pmNonceRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("media-new.php has no upload nonce: %.300s", page)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", name)
	_ = mw.WriteField("action", "upload-attachment")
	_ = mw.WriteField("_wpnonce", m[1])
	fw, _ := mw.CreateFormFile("async-upload", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	q := url.Values{"action": {"upload-attachment"}, "_wpnonce": {m[1]}}
	resp, body := w.do("POST", "/wp-admin/async-upload.php?"+q.Encode(), nil, &buf, mw.FormDataContentType())
	return resp.StatusCode, body
}

// pmSMTPConf is exim's whole configuration: STARTTLS with the test's
// certificate, a login (PLAIN, offered over TLS only) as pmuser, mail for
// anyone from that user alone, kept in a maildir.
const pmSMTPConf = `primary_hostname = smtp.pm.test
qualify_domain = example.com
host_lookup =
daemon_smtp_ports = 25
acl_smtp_rcpt = acl_rcpt
log_file_path = /var/log/exim4/%slog
tls_advertise_hosts = *
tls_certificate = /etc/exim4/pm.crt
tls_privatekey = /etc/exim4/pm.key
begin acl
acl_rcpt:
  accept authenticated = *
  deny message = authentication required
begin routers
all:
  driver = accept
  transport = keep
begin transports
keep:
  driver = appendfile
  directory = /var/mail/pm
  maildir_format
  user = Debian-exim
  group = Debian-exim
  mode = 0644
  envelope_to_add
begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_advertise_condition = ${if def:tls_in_cipher}
  server_condition = ${if and{{eq{$auth2}{pmuser}}{eq{$auth3}{pm-s3cret-Pw.42}}}}
  server_set_id = $auth2
`

// pmSMTPServer starts Debian's exim4 in a test image built from the base
// image, with a certificate for its container name from a CA made here,
// and returns its name (removed when the test ends) and the CA's file.
func pmSMTPServer(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	name := "pm-smtp-" + ctRandom()
	caPEM, certPEM, keyPEM := pmCerts(t, name)
	caFile := filepath.Join(t.TempDir(), "relay-ca.pem")
	for p, data := range map[string][]byte{filepath.Join(dir, "exim4.conf"): []byte(pmSMTPConf), caFile: caPEM,
		filepath.Join(dir, "pm.crt"): certPEM, filepath.Join(dir, "pm.key"): keyPEM} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(`FROM `+ctBase+`
RUN apt-get update && apt-get install -y --no-install-recommends exim4-daemon-light && rm -rf /var/lib/apt/lists/*
COPY exim4.conf pm.crt pm.key /etc/exim4/
RUN install -d -o Debian-exim -g Debian-exim /var/mail/pm
CMD ["exim4", "-bdf", "-q1h"]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	// The image carries this run's certificate: a tag of its own.
	tag := name + ":e2e"
	if err := ctDockerBuild(tag, dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctDocker("rmi", "-f", tag) })
	t.Cleanup(func() { ctDocker("rm", "-f", name) })
	ctMust(t, "run", "-d", "--name", name, "--label", "io.wpstack.test=pm", tag)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if out, err := ctDocker("exec", name, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/25 && head -c 3 <&3"); err == nil && strings.Contains(out, "220") {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := ctDocker("logs", name)
			t.Fatalf("exim did not start: %s", logs)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return name, caFile
}

// pmCerts makes a CA and a server certificate for host, PEM.
func pmCerts(t *testing.T, host string) (ca, cert, key []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pm test relay CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

func pmEximLog(name string) string {
	out, _ := ctDocker("exec", name, "cat", "/var/log/exim4/mainlog")
	return out
}
