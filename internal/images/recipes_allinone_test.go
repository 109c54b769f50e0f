package images

import (
	"strings"
	"testing"
)

// Every file the all-in-one Dockerfile copies must be in its build context:
// a file renamed in the web or db recipe would otherwise break only this image.
func TestAllInOneRecipeCopiesExist(t *testing.T) {
	files, err := Recipe(RoleAllInOne)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, f := range files {
		have[f.Name] = string(f.Data)
	}
	for _, want := range []string{"Dockerfile", "web/wp-config.php", "db/99-wpstack.cnf"} {
		if _, ok := have[want]; !ok {
			t.Errorf("recipe lacks %s", want)
		}
	}
	for _, line := range strings.Split(have["Dockerfile"], "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[0] != "COPY" || strings.HasPrefix(fields[1], "--from=") {
			continue // a COPY --from takes from a build stage, not the context
		}
		for _, src := range fields[1 : len(fields)-1] {
			if src == "wordpress" || src == "wpstack-init" {
				continue // added by the builder
			}
			if _, ok := have[src]; !ok {
				t.Errorf("Dockerfile copies %s, which is not in the recipe", src)
			}
		}
	}
	if !strings.HasPrefix(RoleAllInOne.Tag("wpstack", "0123456789abcdef", "6.7"), "wpstack/allinone:6.7-") {
		t.Error("the all-in-one tag does not carry the WordPress version")
	}
}
