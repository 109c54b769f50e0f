package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

// FuzzRenderCompose: any spec that validates becomes a plan whose exported
// compose file renders, and compose-go loads it back (Render checks that)
// with the site's name and data folder unchanged.
func FuzzRenderCompose(f *testing.F) {
	f.Add("blog", 8080, "", "split", "127.0.0.1")
	f.Add("tiny", 8081, "/srv/wp-tiny", "allinone", "")
	f.Add("x", 1, "/srv/a b/${HOME}", "split", "")
	f.Add("y", 65535, "/srv/x\nservices:", "split", "::1")
	f.Fuzz(func(t *testing.T, name string, port int, dataDir, layout, bind string) {
		spec := site.Spec{Name: name, Port: port, DataDir: dataDir, Layout: layout, Bind: bind}
		spec.ApplyDefaults()
		if spec.Validate() != nil {
			return
		}
		p, err := Build(spec, Inputs{WebImage: "wpstack/web:1", DBImage: "wpstack/db:1", AllInOneImage: "wpstack/allinone:1", SecretsDir: "/state/sites/" + name + "/secrets"})
		if err != nil {
			t.Fatalf("Build of a valid spec %+v: %v", spec, err)
		}
		out, err := Render(context.Background(), p, RenderOptions{Format: FormatCompose,
			Header: Header(p, HeaderOptions{Format: FormatCompose, Site: name, File: "compose.yaml"})})
		if err != nil {
			t.Fatalf("Render of a valid spec %+v: %v", spec, err)
		}
		if !strings.Contains(string(out), "name: "+name) {
			t.Fatalf("export lost the project name %q", name)
		}
		if dataDir != "" && !strings.Contains(string(out), strings.TrimRight(dataDir, "/")) {
			t.Fatalf("export lost the data folder %q:\n%s", dataDir, out)
		}
	})
}
