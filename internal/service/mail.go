package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// mergeRuntime takes the PHP settings and the mail relay the user set on
// an existing site: they change its web container only. --smtp off
// removes the relay (mail is kept in the mailbox again).
func mergeRuntime(spec *site.Spec, want site.Spec) {
	if want.PHP.MemoryLimit != "" {
		spec.PHP.MemoryLimit = want.PHP.MemoryLimit
	}
	if want.PHP.UploadMax != "" {
		spec.PHP.UploadMax = want.PHP.UploadMax
	}
	if want.PHP.MaxExecutionTime != 0 {
		spec.PHP.MaxExecutionTime = want.PHP.MaxExecutionTime
	}
	switch {
	case want.SMTP.Host == site.SMTPOff:
		spec.SMTP = site.SMTP{}
	case want.SMTP.Host != "":
		// A new relay is given whole: what it does not name is unset
		// (the stored password stays, with its version).
		pw, ca := spec.SMTP.PasswordID, spec.SMTP.CAID
		spec.SMTP = want.SMTP
		spec.SMTP.PasswordID, spec.SMTP.CAID = pw, ca
	default:
		if want.SMTP.User != "" {
			spec.SMTP.User = want.SMTP.User
		}
		if want.SMTP.From != "" {
			spec.SMTP.From = want.SMTP.From
		}
		if want.SMTP.TLS != "" {
			spec.SMTP.TLS = want.SMTP.TLS
		}
	}
}

// maxSMTPPassword bounds the password file: a mistaken path (a log, a
// key) must not become a secret.
const maxSMTPPassword = 1024

// storeSMTPFiles keeps the relay's password and CA files given to up.
func (s *Service) storeSMTPFiles(spec *site.Spec, password, ca string) error {
	if err := s.storeSMTPPassword(spec, password); err != nil {
		return err
	}
	return s.storeSMTPCA(spec, ca)
}

// maxCASize bounds --smtp-ca-file (a bundle of a few certificates).
const maxCASize = 1 << 20

// storeSMTPCA copies the relay's CA certificates (PEM, each one checked)
// into the site's state, giving them a new version in spec.
func (s *Service) storeSMTPCA(spec *site.Spec, file string) error {
	if file == "" {
		return nil
	}
	if !spec.SMTP.Enabled() {
		return errors.New("--smtp-ca-file needs --smtp HOST:PORT: it is the CA the relay's certificate is checked against")
	}
	fi, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("--smtp-ca-file: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxCASize {
		return fmt.Errorf("--smtp-ca-file %s: want a regular PEM file of at most %d bytes", file, maxCASize)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("--smtp-ca-file: %w", err)
	}
	var out []byte
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
			return fmt.Errorf("--smtp-ca-file %s: a certificate does not parse: %w", file, err)
		}
		out = append(out, pem.EncodeToMemory(blk)...)
	}
	if len(out) == 0 {
		return fmt.Errorf("--smtp-ca-file %s: no PEM certificate in it (want -----BEGIN CERTIFICATE-----)", file)
	}
	id, err := newVersion()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.store.SecretsDir(spec.Name), 0o700); err != nil {
		return fmt.Errorf("create the secrets of site %q: %w", spec.Name, err)
	}
	if err := atomicfile.Write(s.store.SecretPath(spec.Name, contract.SecretSMTPCA), out, 0o600); err != nil {
		return err
	}
	spec.SMTP.CAID = id
	return nil
}

func newVersion() (string, error) {
	id := make([]byte, 4)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("version a relay file: %w", err)
	}
	return hex.EncodeToString(id), nil
}

// storeSMTPPassword copies the password file into the site's secrets (mode
// 0600), giving it a new version in spec, and checks that a relay with a
// user has one.
func (s *Service) storeSMTPPassword(spec *site.Spec, file string) error {
	secret := s.store.SecretPath(spec.Name, contract.SecretSMTP)
	if file != "" {
		if spec.SMTP.User == "" {
			return errors.New("--smtp-password-file needs --smtp-user (and --smtp HOST:PORT): the password is the user's")
		}
		fi, err := os.Stat(file)
		if err != nil {
			return fmt.Errorf("--smtp-password-file: %w", err)
		}
		if !fi.Mode().IsRegular() || fi.Size() > maxSMTPPassword {
			return fmt.Errorf("--smtp-password-file %s: want a regular file of at most %d bytes holding the password", file, maxSMTPPassword)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("--smtp-password-file: %w", err)
		}
		pw := strings.TrimRight(string(b), "\r\n")
		if pw == "" || strings.ContainsAny(pw, "\r\n\x00") || !utf8.ValidString(pw) {
			return fmt.Errorf("--smtp-password-file %s: want the password alone, on one line", file)
		}
		if err := os.MkdirAll(s.store.SecretsDir(spec.Name), 0o700); err != nil {
			return fmt.Errorf("create the secrets of site %q: %w", spec.Name, err)
		}
		id, err := newVersion()
		if err != nil {
			return err
		}
		if err := atomicfile.Write(secret, []byte(pw+"\n"), 0o600); err != nil {
			return err
		}
		spec.SMTP.PasswordID = id
		return nil
	}
	if spec.SMTP.User != "" {
		if _, err := os.Stat(secret); err != nil {
			return fmt.Errorf("--smtp-user %s needs its password: add --smtp-password-file FILE (a file holding it, read once and kept with the site's secrets)", spec.SMTP.User)
		}
	}
	return nil
}

// MailMessage is one message kept in a site's mailbox.
type MailMessage struct {
	N       int       `json:"n"`
	ID      string    `json:"id"`
	Date    time.Time `json:"date"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Size    int64     `json:"size"`
}

// MailResult is what `wpstack mail` shows.
type MailResult struct {
	Site string `json:"site"`
	// Relay is the SMTP relay mail goes through now ("" : kept here).
	Relay    string        `json:"relay,omitempty"`
	Messages []MailMessage `json:"messages"`
	// Message is the raw message asked for with --show.
	Message string `json:"message,omitempty"`
}

// MailOptions: Show > 0 prints that message (1 is the oldest).
type MailOptions struct {
	Show int
}

// Mail lists the messages kept in a site's mailbox, or shows one.
func (s *Service) Mail(ctx context.Context, name string, opts MailOptions) (MailResult, error) {
	if err := s.requireSite(name); err != nil {
		return MailResult{}, err
	}
	spec, err := s.store.Load(name)
	if err != nil {
		return MailResult{}, err
	}
	res := MailResult{Site: name, Relay: spec.SMTP.Host, Messages: []MailMessage{}}
	var exec mailboxExec
	if spec.Target == site.TargetSwarm {
		e, done, err := s.swarmMailbox(ctx, spec)
		if err != nil {
			return res, err
		}
		defer done()
		exec = e
	} else {
		t, err := s.open(ctx, spec)
		if err != nil {
			return MailResult{}, err
		}
		defer t.Close()
		service := site.ServiceWeb
		if spec.Layout == site.LayoutAllInOne {
			service = site.ServiceAllInOne
		}
		exec = func(args ...string) (string, int, error) {
			return t.Exec(ctx, spec, service, contract.WebUser, contract.Command(contract.RoleMailbox, args...))
		}
	}
	run := func(args ...string) (string, error) {
		out, code, err := exec(args...)
		if errors.Is(err, target.ErrNoExec) {
			return "", fmt.Errorf("read the mailbox of site %q: %w", name, err)
		}
		if err != nil {
			return "", fmt.Errorf("read the mailbox of site %q (is it up? try `wpstack up %s`): %w", name, name, err)
		}
		if code != 0 {
			return "", fmt.Errorf("read the mailbox of site %q: %s", name, strings.TrimSpace(strings.TrimPrefix(out, "wpstack-init: ")))
		}
		return out, nil
	}
	if opts.Show > 0 {
		out, err := run("show", strconv.Itoa(opts.Show))
		if err != nil {
			return res, err
		}
		res.Message = out
		return res, nil
	}
	out, err := run("list")
	if err != nil {
		return res, err
	}
	if err := json.NewDecoder(bytes.NewReader([]byte(out))).Decode(&res.Messages); err != nil {
		return res, fmt.Errorf("read the mailbox of site %q: unexpected listing %.200q: %w", name, out, err)
	}
	return res, nil
}
