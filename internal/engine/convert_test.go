package engine

import (
	"testing"

	"github.com/docker/docker/api/types/mount"

	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
)

func testPlan(t *testing.T, web string) (site.Spec, spec, spec) {
	t.Helper()
	s := site.Spec{Name: "blog", Port: 8081}
	s.ApplyDefaults()
	p, err := plan.Build(s, plan.Inputs{WebImage: web, DBImage: "d", SecretsDir: "/sec"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := containerSpec(p, s, site.ServiceWeb)
	if err != nil {
		t.Fatal(err)
	}
	d, err := containerSpec(p, s, site.ServiceDB)
	if err != nil {
		t.Fatal(err)
	}
	return s, w, d
}

func TestContainerSpec(t *testing.T) {
	_, w, d := testPlan(t, "w1")
	if w.Name != "blog-web-1" || d.Name != "blog-db-1" {
		t.Errorf("names %s %s", w.Name, d.Name)
	}
	if b := w.Host.PortBindings["80/tcp"]; len(b) != 1 || b[0].HostPort != "8081" {
		t.Errorf("web port bindings = %v", w.Host.PortBindings)
	}
	if len(d.Host.PortBindings) != 0 || len(d.Config.ExposedPorts) != 0 {
		t.Errorf("db publishes: %v", d.Host.PortBindings)
	}
	var secrets, volumes int
	for _, m := range d.Host.Mounts {
		switch m.Type {
		case mount.TypeBind:
			secrets++
			if !m.ReadOnly {
				t.Errorf("secret %s mounted read-write", m.Source)
			}
		case mount.TypeVolume:
			volumes++
			if m.Source != "blog_db" || m.Target != "/var/lib/mysql" {
				t.Errorf("db volume mount = %+v", m)
			}
		}
	}
	if secrets != 2 || volumes != 1 {
		t.Errorf("db mounts: %d secrets, %d volumes", secrets, volumes)
	}
	if ep, ok := d.Network.EndpointsConfig["blog_default"]; !ok || len(ep.Aliases) != 1 || ep.Aliases[0] != "db" {
		t.Errorf("db network = %+v", d.Network.EndpointsConfig)
	}
	if d.Config.Healthcheck == nil || d.Config.StopTimeout == nil || *d.Config.StopTimeout != 30 {
		t.Errorf("db healthcheck/stop timeout missing")
	}
	if d.Config.Labels[site.LabelConfig] != d.Hash || d.Config.Labels[site.LabelSite] != "blog" {
		t.Errorf("labels = %v", d.Config.Labels)
	}
}

func TestConfigHash(t *testing.T) {
	_, w1, d1 := testPlan(t, "w1")
	_, w1b, _ := testPlan(t, "w1")
	_, w2, d2 := testPlan(t, "w2")
	if w1.Hash != w1b.Hash {
		t.Error("the same plan hashes differently")
	}
	if w1.Hash == w2.Hash {
		t.Error("a new web image does not change the web hash")
	}
	if d1.Hash != d2.Hash {
		t.Error("a new web image changed the db hash")
	}
}
