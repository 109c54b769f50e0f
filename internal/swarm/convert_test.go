package swarm

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/plan"
	"github.com/wpstack/wpstack/internal/site"
)

func testSpecs(t *testing.T) map[string]swarm.ServiceSpec {
	t.Helper()
	spec := site.Spec{Name: "blog", Target: site.TargetSwarm, Replicas: 2}
	spec.ApplyDefaults()
	p, err := plan.Build(spec, plan.Inputs{WebImage: "wpstack/web:1", DBImage: "wpstack/db:1", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := plan.Stack(p, plan.StackOptions{Replicas: 2, Registry: "reg:5000", SharedStorage: "/mnt/blog", EdgeImage: "wpstack/edge:1"})
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
	out := map[string]swarm.ServiceSpec{}
	for _, s := range specs {
		out[s.Name] = s
	}
	if _, err := ServiceSpecs(st, map[string]string{}); err == nil {
		t.Error("a service whose secret has no swarm ID was converted")
	}
	return out
}

func TestServiceSpecs(t *testing.T) {
	specs := testSpecs(t)
	if len(specs) != 4 {
		t.Fatalf("services = %d, want db, web, edge, cron", len(specs))
	}
	web, db, edge, cron := specs["blog_web"], specs["blog_db"], specs["blog_edge"], specs["blog_cron"]
	for name, s := range specs {
		if s.Labels[LabelNamespace] != "blog" || s.TaskTemplate.ContainerSpec.Labels[LabelNamespace] != "blog" {
			t.Errorf("%s: no stack namespace label", name)
		}
		if s.EndpointSpec.Mode != swarm.ResolutionModeDNSRR {
			t.Errorf("%s: endpoint mode %s, want dnsrr (no IPVS needed)", name, s.EndpointSpec.Mode)
		}
		if !strings.HasPrefix(s.TaskTemplate.ContainerSpec.Image, "reg:5000/") {
			t.Errorf("%s: image %s not from the registry", name, s.TaskTemplate.ContainerSpec.Image)
		}
		nets := s.TaskTemplate.Networks
		if len(nets) != 1 || nets[0].Target != "blog_default" || nets[0].Aliases[0] != strings.TrimPrefix(name, "blog_") {
			t.Errorf("%s: networks %+v", name, nets)
		}
	}
	if *web.Mode.Replicated.Replicas != 2 || web.UpdateConfig.Order != "start-first" || web.UpdateConfig.FailureAction != "rollback" || web.UpdateConfig.Parallelism != 1 {
		t.Errorf("web mode/update: %+v %+v", web.Mode, web.UpdateConfig)
	}
	if web.RollbackConfig == nil || web.RollbackConfig.Order != "start-first" {
		t.Errorf("web rollback config: %+v", web.RollbackConfig)
	}
	var bind *mount.Mount
	for i, m := range web.TaskTemplate.ContainerSpec.Mounts {
		if m.Type == mount.TypeBind {
			bind = &web.TaskTemplate.ContainerSpec.Mounts[i]
		}
	}
	if bind == nil || bind.Source != "/mnt/blog" || bind.Target != "/var/www/html/wp-content" {
		t.Errorf("web shared wp-content mount: %+v", web.TaskTemplate.ContainerSpec.Mounts)
	}
	secs := web.TaskTemplate.ContainerSpec.Secrets
	if len(secs) != 2 || secs[0].File.Name != "db_password" || secs[0].SecretID != "id-db_password" || secs[0].File.Mode != 0o400 {
		t.Errorf("web secrets: %+v", secs[0])
	}
	if c := db.TaskTemplate.Placement.Constraints; len(c) != 1 || !strings.Contains(c[0], "io.wpstack.db.blog") {
		t.Errorf("db placement: %v", c)
	}
	if edge.Mode.Global == nil || len(edge.EndpointSpec.Ports) != 1 || edge.EndpointSpec.Ports[0].PublishMode != swarm.PortConfigPublishModeHost || edge.EndpointSpec.Ports[0].PublishedPort != 8080 {
		t.Errorf("edge: mode %+v ports %+v", edge.Mode, edge.EndpointSpec.Ports)
	}
	if h := cron.TaskTemplate.ContainerSpec.Healthcheck; h == nil || h.Test[0] != "NONE" {
		t.Errorf("cron healthcheck: %+v", h)
	}
	if cs := cron.TaskTemplate.ContainerSpec; cs.User != "www-data" || strings.Join(cs.Command, " ") != "/usr/local/bin/wpstack-init cron" {
		t.Errorf("cron container: user %q command %v", cs.User, cs.Command)
	}
}

func TestSpecHashStable(t *testing.T) {
	a, b := testSpecs(t)["blog_web"], testSpecs(t)["blog_web"]
	ha, _ := specHash(a)
	hb, _ := specHash(b)
	if ha != hb {
		t.Error("the same stack hashes differently")
	}
	*b.Mode.Replicated.Replicas = 3
	if hc, _ := specHash(b); hc == ha {
		t.Error("a changed spec hashes the same")
	}
}

// Every task gets the hardening of the local containers: read-only root
// with tmpfs at /run and /tmp (db, web, cron, edge), the capability set of
// the plan and no-new-privileges.
func TestServiceSpecsHardening(t *testing.T) {
	specs := testSpecs(t)
	pid1Caps := []string{"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"}
	for _, tt := range []struct {
		name string
		add  []string
	}{
		{"blog_db", pid1Caps},
		{"blog_web", pid1Caps},
		{"blog_cron", nil},
		{"blog_edge", nil},
	} {
		cs := specs[tt.name].TaskTemplate.ContainerSpec
		if cs == nil {
			t.Fatalf("%s: no container spec", tt.name)
		}
		if !cs.ReadOnly {
			t.Errorf("%s: root filesystem is writable", tt.name)
		}
		if cs.Privileges == nil || !cs.Privileges.NoNewPrivileges {
			t.Errorf("%s: no-new-privileges not set: %+v", tt.name, cs.Privileges)
		}
		if strings.Join(cs.CapabilityDrop, ",") != "ALL" {
			t.Errorf("%s: drops %v, want ALL", tt.name, cs.CapabilityDrop)
		}
		if strings.Join(cs.CapabilityAdd, ",") != strings.Join(tt.add, ",") {
			t.Errorf("%s: adds %v, want %v", tt.name, cs.CapabilityAdd, tt.add)
		}
		tmpfs := map[string]bool{}
		for _, m := range cs.Mounts {
			if m.Type == mount.TypeTmpfs {
				tmpfs[m.Target] = true
			}
		}
		if !tmpfs["/run"] || !tmpfs["/tmp"] {
			t.Errorf("%s: tmpfs mounts %v, want /run and /tmp", tt.name, tmpfs)
		}
	}
}

func TestPrivileges(t *testing.T) {
	for _, tt := range []struct {
		opts    []string
		nnp     bool
		none    bool
		wantErr bool
	}{
		{opts: nil, none: true},
		{opts: []string{"no-new-privileges:true"}, nnp: true},
		{opts: []string{"no-new-privileges"}, nnp: true},
		{opts: []string{"no-new-privileges:false"}},
		{opts: []string{"seccomp=unconfined"}, wantErr: true},
		{opts: []string{"apparmor:unconfined"}, wantErr: true},
	} {
		p, err := privileges(tt.opts)
		if (err != nil) != tt.wantErr {
			t.Errorf("%v: err = %v, want error %v", tt.opts, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if (p == nil) != tt.none || (p != nil && p.NoNewPrivileges != tt.nnp) {
			t.Errorf("%v: privileges %+v, want none=%v nnp=%v", tt.opts, p, tt.none, tt.nnp)
		}
	}
}

// The web task's webroot, where PID 1 copies the core, is an anonymous
// volume of the task's own: the root filesystem is read-only.
func TestServiceSpecsWebRootVolume(t *testing.T) {
	web := testSpecs(t)["blog_web"].TaskTemplate.ContainerSpec
	for _, m := range web.Mounts {
		if m.Target == "/var/www/html" {
			if m.Type != mount.TypeVolume || m.Source != "" || m.ReadOnly || m.VolumeOptions != nil {
				t.Errorf("webroot mount %+v, want an anonymous writable volume", m)
			}
			return
		}
	}
	t.Errorf("no webroot mount in %+v", web.Mounts)
}
