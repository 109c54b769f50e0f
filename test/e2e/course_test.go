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

	// Step 9 makes a one-node swarm in a throwaway engine, a Docker-in-Docker
	// container: the page's `docker run … docker:dind` runs with the
	// cluster's node image and flags in place of the image and
	// --privileged (nothing can be pulled here, and this kind of VM refuses
	// --privileged), on a network of the test's own. The test engine's
	// swarm state must be the same at the end.
	labRun, labNet := labNetwork(t)
	names[courseLab] = labRun + "-" + courseLab
	hostSwarm, err := swarmState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if st, err := swarmState(context.Background()); err != nil || st != hostSwarm {
			t.Errorf("the test engine's swarm state was %q before the course and is %q after (%v): the course must never make it a swarm", hostSwarm, st, err)
		}
	})
	env := map[string]string{}
	skipped := 0
	for _, c := range cmds {
		if c.pending != "" {
			skipped++
			t.Logf("course.md:%d skipped (pending: %s): %s", c.line, c.pending, c.text)
			continue
		}
		cmdline := rewrite(c.text)
		lab := strings.Contains(cmdline, courseDinD)
		if lab {
			cmdline = courseLabCommand(t, cmdline, labRun, labNet)
		}
		cmd, cancel := courseShell(cmdline, work, e.home, binDir, env)
		start := time.Now()
		var out []byte
		var err error
		switch verb, name, _ := courseEnvVerb(cmdline); verb {
		case "export":
			// The shell's variables do not outlive it: an export is run,
			// and its value kept for the commands after it.
			cmd.Args[len(cmd.Args)-1] = cmdline + "\nprintf %s \"$" + name + "\""
			out, err = cmd.Output()
			env[name] = string(out)
		case "unset":
			err = cmd.Run()
			delete(env, name)
		default:
			out, err = cmd.CombinedOutput()
		}
		cancel()
		t.Logf("course.md:%d %s → %v in %s", c.line, cmdline, err, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("course.md:%d: %s failed: %v\n%s", c.line, c.text, err, out)
		}
		if lab {
			// What a user's throwaway engine would pull or build, this one
			// gets from the test engine.
			host := courseLabHost(t, names[courseLab])
			if _, err := labWaitEngine(host, time.Minute); err != nil {
				t.Fatal(err)
			}
			labLoadImages(t, host, guardImages()...)
		}
	}
	t.Logf("%d commands run, %d pending", len(cmds)-skipped, skipped)
	if _, ok := env["DOCKER_HOST"]; ok {
		t.Errorf("docs/course.md leaves DOCKER_HOST pointing at the throwaway engine: unset it at the end of step 9")
	}
}

// The page's throwaway engine: its container's name and the image it runs.
const (
	courseLab  = "swarmlab"
	courseDinD = "docker:dind"
)

// courseLabCommand turns the page's `docker run … --privileged … docker:dind
// ARGS` into the same run of the node image with the cluster's flags,
// labelled for cleanup, with the lab engine's dockerd flags before ARGS.
func courseLabCommand(t *testing.T, cmdline, run, network string) string {
	t.Helper()
	if !strings.Contains(cmdline, " --privileged") {
		t.Fatalf("the page starts its throwaway engine without --privileged, which docker:dind needs: %s", cmdline)
	}
	flags := append(append([]string{}, clNodeFlags...), "--label", labLabel+"="+run, "--network", network,
		"--mount", "type=volume,source="+run+"-"+courseLab+"-docker,target=/var/lib/docker,volume-label="+labLabel+"="+run)
	for i, f := range flags {
		flags[i] = "'" + f + "'"
	}
	cmdline = strings.Replace(cmdline, " --privileged", " "+strings.Join(flags, " "), 1)
	return strings.Replace(cmdline, courseDinD, clImgNode+" "+strings.Join(labDockerdArgs(), " "), 1)
}

// courseLabHost is the tcp:// address of the lab container's dockerd.
func courseLabHost(t *testing.T, name string) string {
	t.Helper()
	ip, err := clDocker(context.Background(), nil, "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name)
	if err != nil {
		t.Fatalf("address of the throwaway engine %s: %v %s", name, err, ip)
	}
	return "tcp://" + ip + ":2375"
}

// courseEnvVerb recognises `export NAME=…` and `unset NAME`.
func courseEnvVerb(cmdline string) (verb, name string, ok bool) {
	f := strings.Fields(cmdline)
	if len(f) < 2 || (f[0] != "export" && f[0] != "unset") {
		return "", "", false
	}
	name, _, _ = strings.Cut(f[1], "=")
	return f[0], name, true
}

// courseShell is one page command in sh, from the work folder, with
// wpstack on PATH and the variables earlier commands exported.
func courseShell(cmdline, work, home, binDir string, env map[string]string) (*exec.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "WPSTACK_HOME="+home, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd, cancel
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
