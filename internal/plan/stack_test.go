package plan

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

func testStack(t *testing.T, opts StackOptions) (in, out string, err error) {
	t.Helper()
	p, err := Build(testSpec(), Inputs{WebImage: "wpstack/web:6.1.9-abc", DBImage: "wpstack/db:def", SecretsDir: "/state/sites/blog/secrets"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := p.MarshalYAML()
	s, err := Stack(p, opts)
	after, _ := p.MarshalYAML()
	if err != nil {
		return string(before), "", err
	}
	if string(before) != string(after) {
		t.Error("Stack modified its input project")
	}
	y, err := s.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	return string(before), string(y), nil
}

func TestStackGolden(t *testing.T) {
	tests := []struct {
		golden string
		opts   StackOptions
	}{
		{"stack.golden.yaml", StackOptions{Replicas: 2, Registry: "registry.example:5000", SharedStorage: "/mnt/shared/blog", EdgeImage: "wpstack/edge:123"}},
		{"stack-single.golden.yaml", StackOptions{Replicas: 1, EndpointMode: EndpointVIP, EdgeImage: "wpstack/edge:123"}},
	}
	for _, tt := range tests {
		_, got, err := testStack(t, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		goldenFile(t, "stack", tt.golden, []byte(got))
	}
}

func TestStackInvariants(t *testing.T) {
	p, err := Build(testSpec(), Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Stack(p, StackOptions{Replicas: 3, Registry: "reg:5000", SharedStorage: "/mnt/x", EdgeImage: "e"})
	if err != nil {
		t.Fatal(err)
	}
	web, db, edge, cron := s.Services[site.ServiceWeb], s.Services[site.ServiceDB], s.Services[ServiceEdge], s.Services[ServiceCron]
	if *web.Deploy.Replicas != 3 || web.Deploy.UpdateConfig.Order != "start-first" || web.Deploy.UpdateConfig.FailureAction != "rollback" {
		t.Errorf("web deploy = %+v", web.Deploy)
	}
	if len(web.Ports) != 0 || len(edge.Ports) != 1 || edge.Ports[0].Mode != "host" || edge.Ports[0].Published != "8080" {
		t.Errorf("ports: web %v edge %v", web.Ports, edge.Ports)
	}
	if *db.Deploy.Replicas != 1 || len(db.Deploy.Placement.Constraints) != 1 || !strings.Contains(db.Deploy.Placement.Constraints[0], DBNodeLabel("blog")) {
		t.Errorf("db not pinned: %+v", db.Deploy)
	}
	if *cron.Deploy.Replicas != 1 || web.Environment["WORDPRESS_CONFIG_EXTRA"] == nil || *web.Environment["WORDPRESS_CONFIG_EXTRA"] != DisableWPCron {
		t.Errorf("cron: runner %v, web extra %v", cron.Deploy.Replicas, web.Environment["WORDPRESS_CONFIG_EXTRA"])
	}
	if _, ok := p.Services[site.ServiceWeb].Environment["WORDPRESS_CONFIG_EXTRA"]; ok {
		t.Error("Stack changed the input's environment")
	}
	for name, svc := range s.Services {
		if !strings.HasPrefix(svc.Image, "reg:5000/") {
			t.Errorf("%s image %q not under the registry", name, svc.Image)
		}
		if svc.Deploy == nil || svc.Deploy.RestartPolicy == nil {
			t.Errorf("%s has no restart policy", name)
		}
	}
	// The webroot is the task's own volume (the root filesystem is
	// read-only); wp-content is the shared folder, the mailbox inside it.
	if len(web.Volumes) != 2 || web.Volumes[0].Type != "volume" || web.Volumes[0].Source != "" || web.Volumes[0].Target != contract.Webroot ||
		web.Volumes[1].Type != "bind" || web.Volumes[1].Source != "/mnt/x" || web.Volumes[1].Target != contentDir {
		t.Errorf("web volumes = %+v", web.Volumes)
	}
	if !web.ReadOnly {
		t.Error("web's root filesystem is writable")
	}
	if s.Networks["default"].Driver != "overlay" {
		t.Errorf("network = %+v", s.Networks["default"])
	}
	for _, bad := range []StackOptions{
		{Replicas: 0, EdgeImage: "e"},
		{Replicas: 1, EdgeImage: "e", EndpointMode: "ipvs"},
		{Replicas: 1},
		{Replicas: 1, EdgeImage: "e", SharedStorage: "rel/path"},
	} {
		if _, err := Stack(p, bad); err == nil {
			t.Errorf("Stack accepted %+v", bad)
		}
	}
}

func TestStackImage(t *testing.T) {
	for _, tt := range []struct{ reg, ref, want string }{
		{"", "wpstack/web:1", "wpstack/web:1"},
		{"r:5000", "wpstack/web:1", "r:5000/wpstack/web:1"},
		{"r:5000", "r:5000/wpstack/web:1", "r:5000/wpstack/web:1"},
	} {
		if got := StackImage(tt.reg, tt.ref); got != tt.want {
			t.Errorf("StackImage(%q, %q) = %q, want %q", tt.reg, tt.ref, got, tt.want)
		}
	}
}

func TestStackScheduledBackups(t *testing.T) {
	spec := testSpec()
	spec.BackupEvery, spec.BackupKeep = "24h", 7
	p, err := Build(spec, Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Stack(p, StackOptions{Replicas: 2, Registry: "reg:5000", SharedStorage: "/mnt/x", EdgeImage: "e", WordPressVersion: "6.1.9"})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := s.Services[site.ServiceBackup]
	if !ok {
		t.Fatalf("no backup service in %v", s.ServiceNames())
	}
	db := s.Services[site.ServiceDB]
	if *b.Deploy.Replicas != 1 || b.Deploy.Placement.Constraints[0] != db.Deploy.Placement.Constraints[0] {
		t.Errorf("backup not on the database's node: %+v", b.Deploy)
	}
	if b.Image != "reg:5000/d" || len(b.DependsOn) != 0 || len(b.Secrets) != 1 {
		t.Errorf("backup image %q, depends_on %v, secrets %v", b.Image, b.DependsOn, b.Secrets)
	}
	if len(b.Volumes) != 2 || b.Volumes[0].Source != "/mnt/x" || b.Volumes[0].Target != contentDir || !b.Volumes[0].ReadOnly ||
		b.Volumes[1].Source != VolumeBackups || b.Volumes[1].Target != BackupsTarget {
		t.Errorf("backup volumes = %+v", b.Volumes)
	}
	if _, ok := s.Volumes[VolumeBackups]; !ok {
		t.Error("the backups volume is not declared")
	}
	if v := b.Environment["WPSTACK_WP_VERSION"]; v == nil || *v != "6.1.9" {
		t.Errorf("WPSTACK_WP_VERSION = %v", v)
	}
	if _, ok := p.Services[site.ServiceBackup].Environment["WPSTACK_WP_VERSION"]; ok {
		t.Error("Stack changed the input's environment")
	}
}
