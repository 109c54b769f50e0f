package site

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"path/filepath"
	"regexp"
	"strconv"
)

// SMTP is the relay a site's mail goes through (msmtp, as PHP's sendmail).
// With no Host, every message is kept in the site's mailbox instead
// (`wpstack mail`). The password is a secret of the site, never here.
type SMTP struct {
	// Host is host:port.
	Host string `yaml:"host,omitempty" json:"host,omitempty"`
	// User, when set, logs in with the site's smtp_password secret.
	User string `yaml:"user,omitempty" json:"user,omitempty"`
	// From is the envelope sender and the From header of every message.
	From string `yaml:"from,omitempty" json:"from,omitempty"`
	// TLS is starttls (default), tls (SMTPS, usually port 465) or off.
	TLS string `yaml:"tls,omitempty" json:"tls,omitempty"`
	// PasswordID names the password's current version (random, set each
	// time one is given): the secret's name and mount carry it, so a new
	// password re-creates the web container, and on a swarm makes a new
	// secret (swarm secrets cannot change).
	PasswordID string `yaml:"password_id,omitempty" json:"password_id,omitempty"`
	// CAID, when set, is the version of the relay's CA certificate kept
	// with the site's secrets (--smtp-ca-file), checked instead of
	// Debian's bundle.
	CAID string `yaml:"ca_id,omitempty" json:"ca_id,omitempty"`
}

// TLS modes of --smtp-tls, and the --smtp value that removes the relay.
const (
	SMTPStartTLS = "starttls"
	SMTPTLS      = "tls"
	SMTPPlain    = "off"
	SMTPOff      = "off"
)

// smtpUserRE keeps the user name to what msmtp's configuration takes
// unquoted: no space, quote, backslash or control character.
var smtpUserRE = regexp.MustCompile(`^[A-Za-z0-9._%+@=:/-]{1,254}$`)

var passwordIDRE = regexp.MustCompile(`^[0-9a-f]{0,16}$`)

// Enabled reports whether the site relays its mail.
func (m SMTP) Enabled() bool { return m.Host != "" }

func (m *SMTP) validate() error {
	if !m.Enabled() {
		if m.User != "" || m.From != "" || m.TLS != "" {
			return errors.New("--smtp-user, --smtp-from and --smtp-tls need the relay itself: add --smtp HOST:PORT")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(m.Host)
	if err != nil {
		return fmt.Errorf("invalid --smtp %q: give the relay as HOST:PORT, e.g. smtp.example.com:587", m.Host)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("invalid --smtp %q: the port must be a number between 1 and 65535, e.g. smtp.example.com:587", m.Host)
	}
	if !hostRE.MatchString(host) {
		return fmt.Errorf("invalid --smtp %q: %q is not a host name or IP address", m.Host, host)
	}
	if m.User != "" && !smtpUserRE.MatchString(m.User) {
		return fmt.Errorf("invalid --smtp-user %q: use letters, digits and . _ %% + @ = : / - (no spaces or quotes)", m.User)
	}
	if m.From == "" {
		return errors.New("--smtp needs --smtp-from ADDRESS: the sender every message goes out with (one the relay accepts for its user)")
	}
	if a, err := mail.ParseAddress(m.From); err != nil || a.Address != m.From || !smtpUserRE.MatchString(m.From) {
		return fmt.Errorf("invalid --smtp-from %q: give a bare address like blog@example.com", m.From)
	}
	if m.User != "" && m.TLS == SMTPPlain {
		return errors.New("--smtp-user with --smtp-tls off would send the password unencrypted, which msmtp refuses: use --smtp-tls starttls or tls (and --smtp-ca-file for a relay with a private CA)")
	}
	if !passwordIDRE.MatchString(m.PasswordID) || !passwordIDRE.MatchString(m.CAID) {
		return fmt.Errorf("invalid smtp password_id %q in the site's spec: remove it and give --smtp-password-file again", m.PasswordID)
	}
	switch m.TLS {
	case "":
		m.TLS = SMTPStartTLS
	case SMTPStartTLS, SMTPTLS, SMTPPlain:
	default:
		return fmt.Errorf("invalid --smtp-tls %q: use starttls (default), tls (SMTPS, port 465) or off", m.TLS)
	}
	return nil
}

// DataDirMail is the mailbox's folder under --data-dir.
const DataDirMail = "mail_wordpress"

// MailDir is the host folder of the site's mailbox under DataDir ("" when
// the site keeps its data in volumes).
func (s *Spec) MailDir() string {
	if s.DataDir == "" {
		return ""
	}
	return filepath.Join(s.DataDir, DataDirMail)
}
