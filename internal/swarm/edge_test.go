package swarm

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

func TestStackEdgeSecrets(t *testing.T) {
	dir := t.TempDir()
	files := &target.EdgeFiles{Conf: filepath.Join(dir, "c"), Cert: filepath.Join(dir, "crt"), Key: filepath.Join(dir, "key")}
	for _, f := range []string{files.Conf, files.Cert, files.Key} {
		if err := os.WriteFile(f, []byte("data of "+filepath.Base(f)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	spec := site.Spec{Name: "shop", Target: site.TargetSwarm, Domains: []string{"shop.test"}}
	spec.ApplyDefaults()
	e, err := stackEdge(spec, files)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(spec, plan.Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := plan.Stack(p, plan.StackOptions{Replicas: 1, EdgeImage: "wpstack/edge-nginx:1", Edge: e})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for k := range st.Secrets {
		ids[k] = "id-" + k
	}
	specs, err := ServiceSpecs(st, ids)
	if err != nil {
		t.Fatal(err)
	}
	var edgeSpec, webSpec = specs[0], specs[0]
	for _, s := range specs {
		switch s.Name {
		case "shop_edge":
			edgeSpec = s
		case "shop_web":
			webSpec = s
		}
	}
	cs := edgeSpec.TaskTemplate.ContainerSpec
	if len(cs.Secrets) != 3 {
		t.Fatalf("edge secrets: %d, want configuration, certificate, key", len(cs.Secrets))
	}
	for _, ref := range cs.Secrets {
		if ref.File.UID != "10080" || ref.File.GID != "10080" || ref.File.Mode != 0o400 || strings.Contains(ref.File.Name, "/") {
			t.Errorf("edge secret %s: %+v, want 0400 for the edge's user under /run/secrets", ref.SecretName, ref.File)
		}
		if !regexp.MustCompile(`^shop_edge_(conf|cert|key)_[0-9a-f]{12}$`).MatchString(ref.SecretName) {
			t.Errorf("edge secret name %q: want shop_edge_<what>_<content hash>", ref.SecretName)
		}
	}
	// The site's own secrets stay root's, read by PID 1 before it drops privileges.
	for _, ref := range webSpec.TaskTemplate.ContainerSpec.Secrets {
		if ref.File.UID != "0" || ref.File.Mode != 0o400 {
			t.Errorf("web secret %s: %+v, want root's 0400", ref.SecretName, ref.File)
		}
	}
	ports := edgeSpec.EndpointSpec.Ports
	if len(ports) != 2 || ports[0].PublishMode != "host" || ports[0].PublishedPort != 80 || ports[1].PublishedPort != 443 || ports[1].TargetPort != 8443 {
		t.Errorf("edge ports: %+v, want 80 and 443 in host mode", ports)
	}
	if got := strings.Join(cs.Command, " "); !strings.Contains(got, "-c /run/secrets/edge-nginx.conf") {
		t.Errorf("edge command %q does not read its configuration from the secret", got)
	}

	// A changed file is a new secret name: swarm secrets never change in place.
	if err := os.WriteFile(files.Cert, []byte("renewed"), 0o600); err != nil {
		t.Fatal(err)
	}
	e2, err := stackEdge(spec, files)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Secrets[1].Name == e.Secrets[1].Name || e2.Secrets[0].Name != e.Secrets[0].Name {
		t.Errorf("after a new certificate: %s -> %s (conf %s -> %s)", e.Secrets[1].Name, e2.Secrets[1].Name, e.Secrets[0].Name, e2.Secrets[0].Name)
	}
	if _, err := stackEdge(spec, nil); err == nil {
		t.Error("a site with domains and no edge files was planned")
	}
}

func TestTaskFingerprint(t *testing.T) {
	a := &swarm.ContainerSpec{Image: "e@sha256:1", Secrets: []*swarm.SecretReference{{SecretName: "s_edge_conf_aa"}, {SecretName: "s_edge_key_bb"}}}
	b := &swarm.ContainerSpec{Image: "e@sha256:1", Secrets: []*swarm.SecretReference{{SecretName: "s_edge_conf_cc"}, {SecretName: "s_edge_key_bb"}}}
	c := &swarm.ContainerSpec{Image: "e@sha256:2", Secrets: a.Secrets}
	if taskFingerprint(a) != taskFingerprint(&swarm.ContainerSpec{Image: a.Image, Secrets: a.Secrets}) {
		t.Error("equal specs differ")
	}
	if taskFingerprint(a) == taskFingerprint(b) || taskFingerprint(a) == taskFingerprint(c) || taskFingerprint(nil) == taskFingerprint(a) {
		t.Error("a new secret or image leaves the fingerprint as it was")
	}
}
