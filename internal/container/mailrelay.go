package container

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// smtpRelay is the msmtp account PHP's mail goes through.
type smtpRelay struct {
	host, port, user, from, tls string
	// caFile is the relay's CA (PEM), else Debian's bundle.
	caFile string
	// passwordFile is read by msmtp itself at each message (passwordeval),
	// so the password is in no configuration, environment or log.
	passwordFile string
}

// caBundle is Debian's ca-certificates bundle, which msmtp checks the
// relay's certificate against.
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

// relayWordRE is what goes into msmtp's configuration unquoted.
var relayWordRE = regexp.MustCompile(`^[A-Za-z0-9._%+@=:/-]{1,254}$`)

// smtpFromEnv reads WPSTACK_SMTP_*: nil when no relay is set.
func smtpFromEnv(env environ) (*smtpRelay, error) {
	hostPort := env[contract.EnvSMTPHost]
	if hostPort == "" {
		return nil, nil
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil || !relayWordRE.MatchString(host) {
		return nil, fmt.Errorf("%s=%q: give the relay as HOST:PORT, e.g. smtp.example.com:587", contract.EnvSMTPHost, hostPort)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return nil, fmt.Errorf("%s=%q: the port must be between 1 and 65535", contract.EnvSMTPHost, hostPort)
	}
	r := &smtpRelay{host: host, port: port, user: env[contract.EnvSMTPUser], from: env[contract.EnvSMTPFrom], tls: env[contract.EnvSMTPTLS]}
	if r.tls == "" {
		r.tls = "starttls"
	}
	switch r.tls {
	case "starttls", "tls", "off":
	default:
		return nil, fmt.Errorf("%s=%q: use starttls (default), tls or off", contract.EnvSMTPTLS, r.tls)
	}
	if r.from == "" || !relayWordRE.MatchString(r.from) || !strings.Contains(r.from, "@") {
		return nil, fmt.Errorf("%s=%q: give the sender address every message goes out with, e.g. blog@example.com", contract.EnvSMTPFrom, r.from)
	}
	r.caFile = caBundle
	if ca := env[contract.EnvSMTPCAFile]; ca != "" {
		if !relayWordRE.MatchString(ca) {
			return nil, fmt.Errorf("%s=%q: give the path of a PEM file", contract.EnvSMTPCAFile, ca)
		}
		r.caFile = ca
	}
	if r.user != "" && r.tls == "off" {
		return nil, fmt.Errorf("%s with %s=off would send the password unencrypted, which msmtp refuses: use starttls or tls", contract.EnvSMTPUser, contract.EnvSMTPTLS)
	}
	if r.user != "" {
		if !relayWordRE.MatchString(r.user) {
			return nil, fmt.Errorf("%s=%q: no spaces, quotes or backslashes", contract.EnvSMTPUser, r.user)
		}
		r.passwordFile = env[contract.EnvSMTPPasswordFile]
		if r.passwordFile == "" || !relayWordRE.MatchString(r.passwordFile) {
			return nil, fmt.Errorf("%s is set but %s is not: give the password as a secret file", contract.EnvSMTPUser, contract.EnvSMTPPasswordFile)
		}
	} else if env[contract.EnvSMTPPasswordFile] != "" {
		return nil, fmt.Errorf("%s is set but %s is not: the password needs its user", contract.EnvSMTPPasswordFile, contract.EnvSMTPUser)
	}
	return r, nil
}

// msmtprc is the relay as msmtp's configuration. Every value was checked
// against relayWordRE, so none can start another line or command.
func (r *smtpRelay) msmtprc() string {
	var b strings.Builder
	b.WriteString("# written by wpstack-init at start from WPSTACK_SMTP_*\n")
	b.WriteString("defaults\nsyslog off\n")
	// One line per message on the container's output (no password in it).
	b.WriteString("logfile -\n")
	b.WriteString("account wpstack\n")
	fmt.Fprintf(&b, "host %s\nport %s\n", r.host, r.port)
	// Every message goes out as the relay's sender, whatever a plugin
	// asks for: relays refuse the others.
	fmt.Fprintf(&b, "from %s\nallow_from_override off\nset_from_header on\n", r.from)
	switch r.tls {
	case "starttls":
		fmt.Fprintf(&b, "tls on\ntls_starttls on\ntls_trust_file %s\n", r.caFile)
	case "tls":
		fmt.Fprintf(&b, "tls on\ntls_starttls off\ntls_trust_file %s\n", r.caFile)
	default:
		b.WriteString("tls off\n")
	}
	if r.user != "" {
		fmt.Fprintf(&b, "auth on\nuser %s\npasswordeval \"cat %s\"\n", r.user, r.passwordFile)
	} else {
		b.WriteString("auth off\n")
	}
	b.WriteString("account default : wpstack\n")
	return b.String()
}
