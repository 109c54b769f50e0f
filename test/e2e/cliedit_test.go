//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIOnlyEditKeepsImages: the images hash what goes into them (the
// recipes, wpstack-init, WordPress), not the CLI. Two CLIs that differ only
// in CLI code (here the version string, as a release or a help-text edit
// would) build the same image tags, and `up` of a site made by the first,
// run by the second, recreates no container.
func TestCLIOnlyEditKeepsImages(t *testing.T) {
	embedded := filepath.Join("..", "..", "internal", "initbin", "wpstack-init")
	made, err := os.ReadFile(embedded)
	if err != nil {
		t.Fatalf("%v: run `make build` first, which compiles the wpstack-init the CLI embeds", err)
	}
	// make build's wpstack-init is reproducible: a fresh build is byte for byte it.
	if fresh := readFile(t, initBinary(t)); fresh != string(made) {
		t.Fatalf("wpstack-init built again differs from %s (run `make build` after the last edit); its build is not reproducible otherwise", embedded)
	}

	dir := t.TempDir()
	build := func(version string) string {
		out := filepath.Join(dir, version, "wpstack")
		cmd := exec.Command("go", "build", "-trimpath", "-tags", "wpstack_embed_init",
			"-ldflags", "-s -w -X github.com/wpstack/wpstack/internal/cli.Version="+version, "-o", out, "../../cmd/wpstack")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build wpstack %s: %v\n%s", version, err, b)
		}
		return out
	}
	binA, binB := build("cliedit-a"), build("cliedit-b")
	if sha256.Sum256([]byte(readFile(t, binA))) == sha256.Sum256([]byte(readFile(t, binB))) {
		t.Fatal("the two CLIs are the same bytes; the test would prove nothing")
	}

	e := newEnv(t)
	name := siteName("e2e-cliedit")
	port := freePort(t)
	e.cleanupSite(name)

	type imagesOut struct {
		Images []struct {
			Repository string   `json:"repository"`
			Tags       []string `json:"tags"`
			ID         string   `json:"id"`
		} `json:"images"`
	}
	imagesBuild := func(bin string) string {
		e.bin = bin
		r := e.mustRun("images", "build", "--json")
		var out imagesOut
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Images) == 0 {
			t.Fatalf("images build --json: %v\n%s", err, r.stdout)
		}
		var b strings.Builder
		for _, im := range out.Images {
			fmt.Fprintf(&b, "%s %s %s\n", im.Repository, strings.Join(im.Tags, ","), im.ID)
		}
		return b.String()
	}
	containers := func() string {
		var b strings.Builder
		for _, svc := range []string{"db", "web"} {
			c, err := e.cli.ContainerInspect(context.Background(), name+"-"+svc+"-1")
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s id=%s image=%s (%s) started=%s\n", svc, c.ID[:12], c.Config.Image, c.Image[:19], c.State.StartedAt)
		}
		return b.String()
	}

	imagesA := imagesBuild(binA)
	e.mustRun("up", name, "--port", fmt.Sprint(port))
	before := containers()
	t.Logf("CLI cliedit-a: images\n%scontainers\n%s", imagesA, before)

	imagesB := imagesBuild(binB)
	r := e.mustRun("up", name, "--port", fmt.Sprint(port))
	after := containers()
	t.Logf("CLI cliedit-b: images\n%scontainers\n%s", imagesB, after)

	if imagesA != imagesB {
		t.Errorf("a CLI-only edit changed the images:\nbefore:\n%safter:\n%s", imagesA, imagesB)
	}
	if before != after {
		t.Errorf("a CLI-only edit recreated or restarted containers on up:\nbefore:\n%safter:\n%s\nup said:\n%s", before, after, r.stderr)
	}
	var v bytes.Buffer
	cmd := exec.Command(binB, "--version")
	cmd.Stdout = &v
	if err := cmd.Run(); err != nil || !strings.Contains(v.String(), "cliedit-b") {
		t.Errorf("wpstack --version = %q (%v), want cliedit-b: the second CLI is not the edited one", v.String(), err)
	}
}
