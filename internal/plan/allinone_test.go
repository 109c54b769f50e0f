package plan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/site"
)

func goldenCompare(t *testing.T, p *types.Project, name string) {
	t.Helper()
	got, err := p.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "plan", name, got)
}

// goldenFile compares got with testdata/name, rewriting it with -update.
func goldenFile(t *testing.T, what, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from %s (run with -update if intended):\n%s", what, golden, got)
	}
}

func TestBuildLayoutsGolden(t *testing.T) {
	in := Inputs{WebImage: "wpstack/web:6.1.9-abc", DBImage: "wpstack/db:def", AllInOneImage: "wpstack/allinone:6.1.9-123", SecretsDir: "/state/sites/blog/secrets"}
	tests := []struct {
		golden string
		edit   func(*site.Spec)
	}{
		{"allinone.golden.yaml", func(s *site.Spec) { s.Layout = site.LayoutAllInOne }},
		{"allinone-datadir.golden.yaml", func(s *site.Spec) { s.Layout = site.LayoutAllInOne; s.DataDir = "/srv/wp-blog" }},
		{"allinone-backup.golden.yaml", func(s *site.Spec) { s.Layout = site.LayoutAllInOne; s.BackupEvery = "24h"; s.BackupKeep = 7 }},
		{"split-datadir.golden.yaml", func(s *site.Spec) { s.DataDir = "/srv/wp-blog" }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			spec := testSpec()
			tt.edit(&spec)
			if err := spec.Validate(); err != nil {
				t.Fatal(err)
			}
			p, err := Build(spec, in)
			if err != nil {
				t.Fatal(err)
			}
			goldenCompare(t, p, tt.golden)
		})
	}
}

func TestAllInOneInvariants(t *testing.T) {
	spec := testSpec()
	spec.Layout = site.LayoutAllInOne
	if _, err := Build(spec, Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"}); err == nil {
		t.Fatal("built an all-in-one plan without its image")
	}
	p, err := Build(spec, Inputs{AllInOneImage: "a", SecretsDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ServiceNames(); len(got) != 1 || got[0] != site.ServiceAllInOne {
		t.Fatalf("services = %v", got)
	}
	svc := p.Services[site.ServiceAllInOne]
	if !svc.ReadOnly || len(svc.Tmpfs) != 2 {
		t.Errorf("read-only %v, tmpfs %v: want a read-only root with /run and /tmp on tmpfs", svc.ReadOnly, svc.Tmpfs)
	}
	if svc.StopGracePeriod == nil || *svc.StopGracePeriod > types.Duration(10e9) {
		t.Errorf("stop grace period %v: want at most 10s", svc.StopGracePeriod)
	}
}

func TestDataDirBindsAndNoVolumes(t *testing.T) {
	for _, layout := range []string{site.LayoutSplit, site.LayoutAllInOne} {
		spec := testSpec()
		spec.Layout, spec.DataDir = layout, "/srv/x"
		p, err := Build(spec, Inputs{WebImage: "w", DBImage: "d", AllInOneImage: "a", SecretsDir: "/s"})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Volumes) != 0 {
			t.Errorf("%s: named volumes %v with a data folder", layout, p.Volumes)
		}
		binds := map[string]string{}
		for _, svc := range p.Services {
			for _, v := range svc.Volumes {
				if v.Type != types.VolumeTypeBind {
					t.Errorf("%s: %s mounts %s as %s", layout, svc.Name, v.Target, v.Type)
				}
				binds[v.Target] = v.Source
			}
		}
		if binds["/var/lib/mysql"] != "/srv/x/data_wordpress" || binds["/var/www/html"] != "/srv/x/source_code_wordpress" {
			t.Errorf("%s: binds %v", layout, binds)
		}
	}
}
