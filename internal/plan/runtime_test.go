package plan

import (
	"reflect"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// TestRuntimeSettings: the PHP settings and the relay reach the service
// running PHP (split, all-in-one and swarm) as the contract's variables,
// the password only as a secret file; the database service is untouched,
// so changing them re-creates the web container alone.
func TestRuntimeSettings(t *testing.T) {
	spec := testSpec()
	spec.PHP = site.PHPSettings{MemoryLimit: "512M", UploadMax: "64M", MaxExecutionTime: 90}
	spec.SMTP = site.SMTP{Host: "smtp.example.com:587", User: "me", From: "blog@example.com", TLS: "starttls"}
	in := Inputs{WebImage: "w", DBImage: "d", AllInOneImage: "a", SecretsDir: "/s"}
	want := map[string]string{
		contract.EnvPHPMemoryLimit: "512M", contract.EnvPHPUploadMax: "64M", contract.EnvPHPMaxExecTime: "90",
		contract.EnvSMTPHost: "smtp.example.com:587", contract.EnvSMTPUser: "me", contract.EnvSMTPFrom: "blog@example.com",
		contract.EnvSMTPTLS: "starttls", contract.EnvSMTPPasswordFile: "/run/secrets/smtp_password",
	}
	check := func(t *testing.T, p *types.Project, service string) {
		t.Helper()
		s := p.Services[service]
		for k, v := range want {
			if got := s.Environment[k]; got == nil || *got != v {
				t.Errorf("%s: %s = %v, want %s", service, k, got, v)
			}
		}
		found := false
		for _, sec := range s.Secrets {
			found = found || sec.Source == contract.SecretSMTP
		}
		if !found || p.Secrets[contract.SecretSMTP].File != "/s/smtp_password" {
			t.Errorf("%s: the relay's password is not the secret file /s/smtp_password: %+v", service, s.Secrets)
		}
		mounted := false
		for _, v := range s.Volumes {
			mounted = mounted || v.Target == contract.MailboxDir
		}
		if !mounted {
			t.Errorf("%s: no mailbox at %s", service, contract.MailboxDir)
		}
	}
	split, err := Build(spec, in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, split, site.ServiceWeb)
	plain, _ := Build(testSpec(), in)
	if !reflect.DeepEqual(split.Services[site.ServiceDB], plain.Services[site.ServiceDB]) {
		t.Error("the PHP settings change the database service")
	}
	aio := spec
	aio.Layout = site.LayoutAllInOne
	a, err := Build(aio, in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, a, site.ServiceAllInOne)
	st, err := Stack(split, StackOptions{Replicas: 2, EdgeImage: "e"})
	if err != nil {
		t.Fatal(err)
	}
	// On a swarm the mailbox is in wp-content, which every replica
	// reaches: no per-node volume.
	w := st.Services[site.ServiceWeb]
	if got := w.Environment[contract.EnvMailboxDir]; got == nil || *got != MailboxInContent {
		t.Errorf("swarm web: %s = %v, want %s", contract.EnvMailboxDir, got, MailboxInContent)
	}
	for _, v := range w.Volumes {
		if v.Target == contract.MailboxDir {
			t.Errorf("swarm web mounts a mailbox of its own: %+v", v)
		}
	}
	if _, ok := st.Volumes[VolumeMail]; ok {
		t.Error("the stack declares a per-node mailbox volume")
	}
	// No relay: nothing of it, and no password secret.
	if e := plain.Services[site.ServiceWeb].Environment; e[contract.EnvSMTPHost] != nil || e[contract.EnvPHPMemoryLimit] != nil {
		t.Errorf("a site without settings gets %v", e)
	}
	if _, ok := plain.Secrets[contract.SecretSMTP]; ok {
		t.Error("a site without a relay gets a password secret")
	}
}
