package plan

import (
	"path/filepath"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// VolumeMail is the site's mailbox: every message PHP sends when the site
// has no SMTP relay (see `wpstack mail`).
const VolumeMail = "mail"

// runtimeEnv is the web image's PHP settings and mail relay, as the
// contract names them. Unset settings are left out: the image's own apply.
func runtimeEnv(spec site.Spec) map[string]string {
	e := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			e[k] = v
		}
	}
	set(contract.EnvPHPMemoryLimit, spec.PHP.MemoryLimit)
	set(contract.EnvPHPUploadMax, spec.PHP.UploadMax)
	if spec.PHP.MaxExecutionTime > 0 {
		set(contract.EnvPHPMaxExecTime, strconv.Itoa(spec.PHP.MaxExecutionTime))
	}
	if spec.SMTP.Enabled() {
		set(contract.EnvSMTPHost, spec.SMTP.Host)
		set(contract.EnvSMTPFrom, spec.SMTP.From)
		set(contract.EnvSMTPTLS, spec.SMTP.TLS)
		if spec.SMTP.User != "" {
			set(contract.EnvSMTPUser, spec.SMTP.User)
			set(contract.EnvSMTPPasswordFile, versioned(contract.SecretSMTP, spec.SMTP.PasswordID))
		}
		if spec.SMTP.CAID != "" {
			set(contract.EnvSMTPCAFile, versioned(contract.SecretSMTPCA, spec.SMTP.CAID))
		}
	}
	return e
}

// addRuntime gives the service running PHP (web, or allinone) its PHP
// settings, its mail relay's password as a secret, and its mailbox.
func addRuntime(spec site.Spec, in Inputs, p *types.Project, service string) {
	s := p.Services[service]
	for k, v := range runtimeEnv(spec) {
		v := v
		s.Environment[k] = &v
	}
	mount := func(secret, id string) {
		name := spec.Name + "_" + secret
		if id != "" {
			name += "_" + id
		}
		p.Secrets[secret] = types.SecretConfig{Name: name, File: filepath.Join(in.SecretsDir, secret)}
		s.Secrets = append(s.Secrets, types.ServiceSecretConfig{Source: secret, Target: versioned(secret, id)})
	}
	if spec.SMTP.Enabled() && spec.SMTP.User != "" {
		mount(contract.SecretSMTP, spec.SMTP.PasswordID)
	}
	if spec.SMTP.Enabled() && spec.SMTP.CAID != "" {
		mount(contract.SecretSMTPCA, spec.SMTP.CAID)
	}
	if dir := spec.MailDir(); dir != "" {
		s.Volumes = append(s.Volumes, types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: dir, Target: contract.MailboxDir,
			Bind: &types.ServiceVolumeBind{CreateHostPath: true}})
	} else {
		s.Volumes = append(s.Volumes, mailMount())
		if p.Volumes == nil {
			p.Volumes = types.Volumes{}
		}
		p.Volumes[VolumeMail] = types.VolumeConfig{Name: spec.VolumeName(VolumeMail), Labels: spec.Labels(service)}
	}
	p.Services[service] = s
}

func mailMount() types.ServiceVolumeConfig {
	return types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: VolumeMail, Target: contract.MailboxDir}
}

// versioned is where a relay's file is mounted: its version in the name,
// so a new password or CA changes the web service's configuration (and on
// a swarm names a new secret, as secrets cannot change).
func versioned(secret, id string) string {
	if id == "" {
		return contract.SecretPath(secret)
	}
	return contract.SecretPath(secret + "-" + id)
}
