package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/site"
)

func exportProject(t *testing.T) *types.Project {
	t.Helper()
	p, err := Build(testSpec(), Inputs{WebImage: "wpstack/web:6.1.9-abc", DBImage: "wpstack/db:def", SecretsDir: "/state/sites/blog/secrets"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// renderCase is one golden export; the files are what `docker-compose`
// and `docker stack config` are tried on in the e2e suite.
type renderCase struct {
	golden   string
	format   string
	external bool
	stack    bool
	builds   map[string]string
}

func renderCases() []renderCase {
	return []renderCase{
		{golden: "export-compose.golden.yaml", format: FormatCompose},
		{golden: "export-compose-external.golden.yaml", format: FormatCompose, external: true},
		{golden: "export-stack.golden.yaml", format: FormatStack, stack: true},
		{golden: "export-dir.golden.yaml", format: FormatDir, external: true, builds: map[string]string{site.ServiceWeb: "./web", site.ServiceDB: "./db"}},
	}
}

func render(t *testing.T, c renderCase) string {
	t.Helper()
	p := exportProject(t)
	if c.stack {
		var err error
		if p, err = Stack(p, StackOptions{Replicas: 1, EdgeImage: "wpstack/edge:123"}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := p.MarshalYAML()
	file := map[string]string{FormatStack: "stack.yaml"}[c.format]
	if file == "" {
		file = "compose.yaml"
	}
	got, err := Render(context.Background(), p, RenderOptions{
		Format:          c.format,
		ExternalVolumes: c.external,
		Builds:          c.builds,
		Header:          Header(p, HeaderOptions{Format: c.format, Site: "blog", File: file, ExternalVolumes: c.external, DBNodeLabel: DBNodeLabel("blog")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := p.MarshalYAML(); string(after) != string(before) {
		t.Error("Render modified its input project")
	}
	return string(got)
}

func TestRenderGolden(t *testing.T) {
	for _, c := range renderCases() {
		t.Run(c.golden, func(t *testing.T) {
			goldenFile(t, "export", c.golden, []byte(render(t, c)))
		})
	}
}

func TestRenderPortable(t *testing.T) {
	for _, c := range renderCases() {
		t.Run(c.golden, func(t *testing.T) {
			got := render(t, c)
			// docker-compose 1.29 refuses both; the spec's defaults mean the same.
			for _, bad := range []string{"\nname:", "required:"} {
				if strings.Contains(got, bad) {
					t.Errorf("export contains %q, which docker-compose 1.29 refuses", strings.TrimSpace(bad))
				}
			}
			for _, want := range []string{"-p blog", "no secret value is in this file", "/state/sites/blog/secrets/db_password"} {
				if c.format == FormatStack && want == "-p blog" {
					want = "docker stack deploy -c stack.yaml blog"
				}
				if !strings.Contains(got, want) {
					t.Errorf("export lacks %q", want)
				}
			}
			if c.format != FormatStack && !strings.Contains(got, "condition: service_healthy") {
				t.Error("web does not wait for a healthy db")
			}
		})
	}
}

func TestRenderRefuses(t *testing.T) {
	p := exportProject(t)
	ctx := context.Background()
	tests := []struct {
		name string
		opts RenderOptions
		want string
	}{
		{"unknown format", RenderOptions{Format: "helm"}, `unknown export format "helm"`},
		{"builds outside dir", RenderOptions{Format: FormatCompose, Builds: map[string]string{"web": "./web"}}, "takes no build contexts"},
		{"build of a missing service", RenderOptions{Format: FormatDir, Builds: map[string]string{"cache": "./cache"}}, `no such service`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(ctx, p, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestVerifyCatchesDrift(t *testing.T) {
	p := exportProject(t)
	ctx := context.Background()
	good, err := Render(ctx, p, RenderOptions{Format: FormatCompose})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, from, to, want string }{
		{"image", "wpstack/db:def", "mariadb:11", "db image"},
		{"volume name", "name: blog_db", "name: other_db", "volume db"},
		{"secret file", "/state/sites/blog/secrets/wp_salts", "/tmp/wp_salts", "secret wp_salts"},
		{"healthcheck gate", "condition: service_healthy", "condition: service_started", "depends_on db"},
		{"not compose", "services:", "servicez:", "does not load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tt.from, tt.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not in the export", tt.from)
			}
			err := Verify(ctx, []byte(bad), p, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestRenderDataDirAndAllInOne(t *testing.T) {
	tests := []struct {
		name string
		spec func(*site.Spec)
		want []string
	}{
		{"split with host folders", func(s *site.Spec) { s.DataDir = "/srv/blog" }, []string{"Data in host folders: /srv/blog", "type: bind"}},
		{"all-in-one", func(s *site.Spec) { s.Layout = site.LayoutAllInOne }, []string{"image: wpstack/allinone:1", "Data: named volumes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := testSpec()
			tt.spec(&spec)
			p, err := Build(spec, Inputs{WebImage: "w", DBImage: "d", AllInOneImage: "wpstack/allinone:1", SecretsDir: "/s"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(context.Background(), p, RenderOptions{Format: FormatCompose, Header: Header(p, HeaderOptions{Format: FormatCompose, Site: "blog", File: "compose.yaml"})})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("export lacks %q:\n%s", w, got)
				}
			}
		})
	}
}
