package container

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// TestNoDockerClient: PID 1 runs inside the images and talks to no engine,
// so neither it nor anything it imports may link the Docker client (it
// would also tie the images' bytes, and so their tags, to that library).
func TestNoDockerClient(t *testing.T) {
	isDocker := func(p string) bool {
		return p == "github.com/docker/docker" || strings.HasPrefix(p, "github.com/docker/docker/")
	}
	for _, pkg := range []string{"github.com/wpstack/wpstack/internal/container", "github.com/wpstack/wpstack/cmd/wpstack-init"} {
		out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		// The packages outside the Docker module that import it name the culprit.
		var via []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || isDocker(f[0]) {
				continue
			}
			for _, imp := range f[1:] {
				if isDocker(imp) {
					via = append(via, f[0]+" imports "+imp)
				}
			}
		}
		sort.Strings(via)
		if len(via) > 0 {
			t.Errorf("%s links the Docker client: %s", pkg, strings.Join(via, "; "))
		}
	}
}
