//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
)

// pendingFeatures are the features docs/course.md may mark a command with
// (`# pending: FEATURE`) while they are not in this build. Only those
// commands are skipped; any other failing command fails the test.
var pendingFeatures = map[string]bool{}

// courseSites and coursePorts are rewritten in every command so runs never
// collide with each other or with a real site.
var (
	courseSites = []string{"blog", "tiny", "family"}
	coursePorts = []string{"8080", "8081", "8082"}
)

type docCommand struct {
	line    int
	text    string
	pending string
}

// courseCommands reads the commands of the ```sh blocks of a Markdown file.
func courseCommands(t *testing.T, path string) []docCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []docCommand
	in := false
	pendingRE := regexp.MustCompile(`#\s*pending:\s*([a-z0-9-]+)\s*$`)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "```sh"):
			in = true
		case strings.HasPrefix(l, "```"):
			in = false
		case in && strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#"):
			c := docCommand{line: n, text: strings.TrimSpace(l)}
			if m := pendingRE.FindStringSubmatch(l); m != nil {
				if !pendingFeatures[m[1]] {
					t.Errorf("%s:%d: pending feature %q is not one of the features being built; remove the marker", path, n, m[1])
				}
				c.pending = m[1]
			}
			out = append(out, c)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCourseDoc runs every command of docs/course.md, in order, as a user
// would from an empty folder, with wpstack on PATH.
func TestCourseDoc(t *testing.T) {
	e := newEnv(t)
	cmds := courseCommands(t, filepath.Join("..", "..", "docs", "course.md"))
	if len(cmds) < 20 {
		t.Fatalf("docs/course.md has %d commands; the parser or the page is broken", len(cmds))
	}
	work := t.TempDir()
	binDir := t.TempDir()
	if err := os.Symlink(e.bin, filepath.Join(binDir, "wpstack")); err != nil {
		t.Fatal(err)
	}

	run := siteName("e2e4")
	var repl []string
	for _, s := range courseSites {
		name := run + "-" + s
		repl = append(repl, s, name)
		// Cleanups run last first: the site, then what docker-compose
		// started, then the images the dir export built.
		t.Cleanup(func() {
			for _, svc := range []string{"web", "db"} {
				for _, ref := range builtImages(t, name, svc) {
					_, _ = e.cli.ImageRemove(context.Background(), ref, image.RemoveOptions{PruneChildren: true})
				}
			}
		})
		t.Cleanup(func() { courseComposeDown(work, name) })
		e.cleanupSite(name)
	}
	ports := map[string]string{}
	for _, p := range coursePorts {
		ports[p] = fmt.Sprint(freePort(t))
	}
	names := map[string]string{}
	for i := 0; i < len(repl); i += 2 {
		names[repl[i]] = repl[i+1]
	}
	// Words are split at anything but letters, digits and dots, so blog
	// is found in blog_default, blog-web-1 and site=blog, not in blog.example.
	wordRE := regexp.MustCompile(`[A-Za-z0-9.]+`)
	rewrite := func(s string) string {
		return wordRE.ReplaceAllStringFunc(s, func(w string) string {
			if n, ok := names[w]; ok {
				return n
			}
			if p, ok := ports[w]; ok {
				return p
			}
			return w
		})
	}

	// Step 9 makes this engine a one-node swarm and leaves it; a failed
	// run must not leave it so, and a swarm that was there is not ours.
	if out, err := exec.Command("docker", "info", "--format", "{{.Swarm.LocalNodeState}}").Output(); err != nil || strings.TrimSpace(string(out)) != "inactive" {
		t.Fatalf("the course's step 9 makes this engine a one-node swarm: run the suite on an engine outside any swarm (state %q, %v)", strings.TrimSpace(string(out)), err)
	}
	t.Cleanup(func() {
		if out, _ := exec.Command("docker", "info", "--format", "{{.Swarm.LocalNodeState}}").Output(); strings.TrimSpace(string(out)) != "inactive" {
			_ = exec.Command("docker", "swarm", "leave", "--force").Run()
		}
		_ = exec.Command("docker", "network", "rm", "docker_gwbridge").Run()
	})
	skipped := 0
	for _, c := range cmds {
		if c.pending != "" {
			skipped++
			t.Logf("course.md:%d skipped (pending: %s): %s", c.line, c.pending, c.text)
			continue
		}
		cmdline := rewrite(c.text)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "WPSTACK_HOME="+e.home, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		start := time.Now()
		out, err := cmd.CombinedOutput()
		cancel()
		t.Logf("course.md:%d %s → %v in %s", c.line, cmdline, err, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("course.md:%d: %s failed: %v\n%s", c.line, c.text, err, out)
		}
	}
	t.Logf("%d commands run, %d pending", len(cmds)-skipped, skipped)
}

// courseComposeDown stops what a failed run left from the page's
// docker-compose commands (never the volumes: destroy removes those).
func courseComposeDown(work, project string) {
	for _, f := range []string{"compose.yaml", filepath.Join(project+"-eject", "compose.yaml")} {
		p := filepath.Join(work, f)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		_ = exec.CommandContext(ctx, "docker-compose", "-f", p, "-p", project, "down").Run()
		cancel()
	}
}
