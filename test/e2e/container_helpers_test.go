//go:build e2e

package e2e

// Helpers for the in-container tests (container_test.go): the test images,
// built once per test binary with the docker CLI, and small docker wrappers.
// Everything they create is named wpt-a-* and labelled ctLabel.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	ctLabel      = "io.wpstack.test=wpt-a-container"
	ctBase       = "wpstack/base:bookworm"
	ctWebImage   = "wpt-a-web:e2e"
	ctDBImage    = "wpt-a-db:e2e"
	ctRunImage   = "wpt-a-run:e2e"
	ctSuidImage  = "wpt-a-suid:e2e"
	ctWPSrcImage = "wpt-a-wordpress-src:e2e"
)

// ctImagesOnce builds the test images once per test binary run; docker's
// build cache makes a re-run with unchanged sources take seconds.
var (
	ctImagesOnce sync.Once
	ctImagesErr  error
)

func ctImages(t *testing.T) {
	t.Helper()
	ctImagesOnce.Do(func() { ctImagesErr = ctBuildImages(initBinary(t)) })
	if ctImagesErr != nil {
		t.Fatal(ctImagesErr)
	}
}

func ctBuildImages(bin string) error {
	work, err := os.MkdirTemp("", "wpt-a-ctx")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	wp, err := ctWordPressTree(work)
	if err != nil {
		return err
	}
	recipes := filepath.Join("..", "..", "internal", "images", "recipes")
	for _, img := range []struct {
		tag, recipe string
		extra       map[string]string // context name -> source path
	}{
		{ctWebImage, "web", map[string]string{"wpstack-init": bin, "wordpress": wp}},
		{ctDBImage, "db", map[string]string{"wpstack-init": bin}},
	} {
		ctx := filepath.Join(work, img.recipe)
		if err := ctCopy(filepath.Join(recipes, img.recipe), ctx); err != nil {
			return err
		}
		for name, src := range img.extra {
			if err := ctCopy(src, filepath.Join(ctx, name)); err != nil {
				return err
			}
		}
		if err := ctDockerBuild(img.tag, ctx); err != nil {
			return err
		}
	}

	// A plain image whose PID 1 is `wpstack-init run --`, with ps for
	// counting zombies, and a copy with the binary installed setuid.
	run := filepath.Join(work, "run")
	if err := ctCopy(bin, filepath.Join(run, "wpstack-init")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(run, "Dockerfile"), []byte(`FROM `+ctBase+`
RUN apt-get update && apt-get install -y --no-install-recommends procps && rm -rf /var/lib/apt/lists/*
COPY wpstack-init /usr/local/bin/wpstack-init
ENTRYPOINT ["/usr/local/bin/wpstack-init", "run", "--"]
`), 0o644); err != nil {
		return err
	}
	if err := ctDockerBuild(ctRunImage, run); err != nil {
		return err
	}
	suid := filepath.Join(work, "suid")
	if err := os.MkdirAll(suid, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(suid, "Dockerfile"), []byte(`FROM `+ctRunImage+`
RUN chmod u+s /usr/local/bin/wpstack-init
`), 0o644); err != nil {
		return err
	}
	return ctDockerBuild(ctSuidImage, suid)
}

// ctWordPressTree extracts a plain WordPress core tree from Debian's
// wordpress package: installed in a throwaway image so that its symlinks
// into other Debian packages (getID3, JavaScript libraries) resolve, then
// copied with cp -rL. Debian's own wp-config.php and .htaccess are removed:
// the image's /var/www/wp-config.php must be the one WordPress finds.
func ctWordPressTree(work string) (string, error) {
	dir := filepath.Join(work, "wpsrc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(`FROM `+ctBase+`
RUN set -eux; apt-get update; apt-get install -y --no-install-recommends wordpress; \
    cp -rL /usr/share/wordpress /wordpress; rm -f /wordpress/wp-config.php /wordpress/.htaccess; \
    rm -rf /var/lib/apt/lists/*
`), 0o644); err != nil {
		return "", err
	}
	if err := ctDockerBuild(ctWPSrcImage, dir); err != nil {
		return "", err
	}
	name := "wpt-a-wpsrc-" + ctRandom()
	if out, err := ctDocker("create", "--name", name, "--label", ctLabel, ctWPSrcImage, "true"); err != nil {
		return "", fmt.Errorf("docker create: %v: %s", err, out)
	}
	defer ctDocker("rm", "-f", name)
	dst := filepath.Join(work, "wordpress-out")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	// docker cp to a local path needs no tar on our side.
	if out, err := ctDocker("cp", name+":/wordpress", dst); err != nil {
		return "", fmt.Errorf("docker cp wordpress: %v: %s", err, out)
	}
	return filepath.Join(dst, "wordpress"), nil
}

func ctDockerBuild(tag, dir string) error {
	start := time.Now()
	out, err := ctDocker("build", "-t", tag, dir)
	if err != nil {
		return fmt.Errorf("docker build %s: %v\n%s", tag, err, out)
	}
	fmt.Fprintf(os.Stderr, "built %s in %s (cached steps: %d)\n", tag, time.Since(start).Round(time.Millisecond), strings.Count(out, "Using cache"))
	return nil
}

// ctCopy copies a file or tree (cp -a keeps modes; the build cache looks at
// contents and modes, not times).
func ctCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		return fmt.Errorf("cp %s %s: %v: %s", src, dst, err, out)
	}
	return nil
}

// ctDocker runs the docker CLI and returns its combined output, trimmed.
func ctDocker(args ...string) (string, error) {
	cmd := exec.Command("/usr/bin/docker", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

func ctMust(t *testing.T, args ...string) string {
	t.Helper()
	out, err := ctDocker(args...)
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func ctRandom() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ctName returns a fresh wpt-a-* name; what is created with it is removed
// when the test ends.
func ctName(t *testing.T, kind string) string {
	t.Helper()
	name := "wpt-a-" + kind + "-" + ctRandom()
	t.Cleanup(func() {
		switch kind {
		case "vol":
			ctDocker("volume", "rm", "-f", name)
		case "net":
			ctDocker("network", "rm", name)
		default:
			ctDocker("rm", "-f", "-v", name)
		}
	})
	return name
}

// ctRun starts a detached container with the test label and returns its name.
func ctRun(t *testing.T, args ...string) string {
	t.Helper()
	name := ctName(t, "c")
	ctMust(t, append([]string{"run", "-d", "--name", name, "--label", ctLabel}, args...)...)
	return name
}

func ctLogs(name string) string {
	out, _ := ctDocker("logs", name)
	return out
}

func ctInspect(t *testing.T, name, format string) string {
	t.Helper()
	return ctMust(t, "inspect", "-f", format, name)
}

// ctWaitHealthy polls until the container is healthy, failing early when
// it stops, and dumps its log on failure.
func ctWaitHealthy(t *testing.T, name string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		state := ctInspect(t, name, "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}")
		if state == "running healthy" {
			return
		}
		if !strings.HasPrefix(state, "running") || time.Now().After(deadline) {
			t.Fatalf("%s: not healthy (%s) after %s; log:\n%s\nhealth: %s", name, state, d, ctLogs(name),
				ctInspect(t, name, "{{json .State.Health}}"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// ctWaitExit waits for a container to stop and returns its exit code.
func ctWaitExit(t *testing.T, name string, d time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(d)
	for ctInspect(t, name, "{{.State.Running}}") == "true" {
		if time.Now().After(deadline) {
			t.Fatalf("%s still running after %s; log:\n%s", name, d, ctLogs(name))
		}
		time.Sleep(200 * time.Millisecond)
	}
	var code int
	fmt.Sscan(ctInspect(t, name, "{{.State.ExitCode}}"), &code)
	return code
}

// ctWaitLog polls the container log for s.
func ctWaitLog(t *testing.T, name, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(ctLogs(name), s) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %q not logged after %s; log:\n%s", name, s, d, ctLogs(name))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ctNoRootProcess fails if any process of the container runs as uid 0.
func ctNoRootProcess(t *testing.T, name string) {
	t.Helper()
	out := ctMust(t, "top", name, "-o", "pid,uid,args")
	lines := strings.Split(out, "\n")
	if len(lines) < 2 {
		t.Fatalf("docker top %s: %q", name, out)
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) >= 2 && f[1] == "0" {
			t.Errorf("%s runs a root process: %s\n%s", name, l, out)
		}
	}
}

// ctSecretFile writes a secret the way the host side does (0600), owned by
// an unrelated uid so that only the root phase of PID 1 can read it.
func ctSecretFile(t *testing.T, dir, name, value string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(p, 4242, 4242); err != nil {
			t.Fatal(err)
		}
	}
	return p
}
