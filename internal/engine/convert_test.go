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

func TestOverall(t *testing.T) {
	up := ServiceStatus{Running: 1, Desired: 1, Health: "healthy"}
	starting := ServiceStatus{Running: 1, Desired: 1, Health: "starting"}
	exited := ServiceStatus{Running: 0, Desired: 1, Health: "unhealthy"}
	gone := ServiceStatus{}
	tests := []struct {
		in   []ServiceStatus
		want string
	}{
		{[]ServiceStatus{up, up}, "running"},
		{[]ServiceStatus{up, starting}, "starting"},
		{[]ServiceStatus{up, exited}, "degraded"},
		{[]ServiceStatus{gone, gone}, "down"},
	}
	for _, tt := range tests {
		if got := Overall(tt.in); got != tt.want {
			t.Errorf("Overall(%+v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestTitleIn(t *testing.T) {
	tests := []struct {
		page, title string
		want        bool
	}{
		{"<html><title>My Blog</title>", "My Blog", true},
		{"<title>My Blog &#8211; Just another WordPress site</title>", "My Blog", true},
		{"<title>Bob&#8217;s Blog</title>", "Bob's Blog", true},
		{"<title>Tom &amp; Jerry</title>", "Tom & Jerry", true},
		{"<title>Other</title>", "My Blog", false},
		{"no title here", "My Blog", false},
	}
	for _, tt := range tests {
		if got := TitleIn(tt.page, tt.title); got != tt.want {
			t.Errorf("TitleIn(%q, %q) = %v", tt.page, tt.title, got)
		}
	}
}

func TestInstallerMessage(t *testing.T) {
	got := installerMessage([]byte(`<html><p class="message">Please provide a valid email address.</p></html>`))
	if got != "Please provide a valid email address." {
		t.Errorf("installerMessage = %q", got)
	}
}
