//go:build e2e

package e2e

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/dockerclient"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/images/wpsource"
)

// imagesEngine connects to the engine; no engine is a failure, not a skip.
func imagesEngine(t *testing.T) *client.Client {
	t.Helper()
	cli, err := dockerclient.New(context.Background())
	if err != nil {
		t.Fatalf("docker engine: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// imagesCtx carries an event sink that logs every event to the test.
func imagesCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	var mu sync.Mutex
	return events.WithSink(ctx, events.Func(func(e events.Event) {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%s  %-8s %s: %s", e.Time.Format("15:04:05.000"), e.Status, e.Resource, e.Text)
	}))
}

func TestImagesDebianSource(t *testing.T) {
	cli := imagesEngine(t)
	ctx := imagesCtx(t, 10*time.Minute)
	cache := t.TempDir()

	start := time.Now()
	opts := wpsource.Options{Spec: "debian", CacheDir: cache, Engine: cli, DebianImageRepo: "wpt-b/wpsrc-debian"}
	t.Cleanup(func() { imagesRemoveRepo(t, cli, opts.DebianImageRepo) })
	src, err := wpsource.Resolve(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("debian source (cold cache): %s in %s: %s", src.Version, time.Since(start).Round(time.Millisecond), src.Description)

	if _, err := os.Stat(filepath.Join(src.Dir, "wp-includes", "version.php")); err != nil {
		t.Errorf("no wp-includes/version.php: %v", err)
	}
	if _, err := os.Stat(filepath.Join(src.Dir, "wp-content", "themes", "twentytwentythree", "style.css")); err != nil {
		t.Errorf("no default theme: %v", err)
	}
	for _, gone := range []string{"wp-config.php", ".htaccess"} {
		if _, err := os.Lstat(filepath.Join(src.Dir, gone)); err == nil {
			t.Errorf("Debian's %s is still in the tree", gone)
		}
	}
	var links []string
	_ = filepath.WalkDir(src.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			links = append(links, p)
		}
		return nil
	})
	if len(links) > 0 {
		t.Errorf("tree has %d symlinks, want none: %v", len(links), links)
	}
	if src.Hash == "" || src.Version == "" {
		t.Errorf("missing version or hash: %+v", src)
	}

	start = time.Now()
	warm, err := wpsource.Resolve(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("debian source (warm cache): %s", time.Since(start).Round(time.Millisecond))
	if !warm.Cached || warm.Hash != src.Hash || warm.Dir != src.Dir {
		t.Errorf("warm resolve = %+v, want the cached %+v", warm, src)
	}
}

// imagesBinary is the PID 1 program copied into images (wpstack-init).
func imagesBinary(t *testing.T) string {
	t.Helper()
	return initBinary(t)
}

// imagesRemove removes an image made by the test, by ID, untagging it
// everywhere; leftovers from other tests are never touched.
func imagesRemove(t *testing.T, cli *client.Client, ref string) {
	t.Helper()
	if ref == "" {
		return
	}
	if _, err := cli.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !client.IsErrNotFound(err) {
		t.Logf("remove image %s: %v", ref, err)
	}
}

// imagesRemoveRepo removes every image of repo (a wpt-b/ repository the
// tests own).
func imagesRemoveRepo(t *testing.T, cli *client.Client, repo string) {
	t.Helper()
	list, err := cli.ImageList(context.Background(), image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", repo))})
	if err != nil {
		t.Logf("list %s: %v", repo, err)
		return
	}
	for _, img := range list {
		imagesRemove(t, cli, img.ID)
	}
}

func TestImagesBaseBootstrap(t *testing.T) {
	cli := imagesEngine(t)
	ctx := imagesCtx(t, 10*time.Minute)
	const tag = "wpt-b/base:bootstrap-e2e"
	imagesRemove(t, cli, tag)

	start := time.Now()
	res, err := images.Base(ctx, cli, images.BaseOptions{Tag: tag})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imagesRemove(t, cli, res.ID) })
	t.Logf("base %s from %s in %s", res.Ref, res.Origin, time.Since(start).Round(time.Millisecond))
	if !res.Created || res.Ref != tag {
		t.Errorf("result = %+v, want a created %s", res, tag)
	}
	img, err := cli.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("base size: %.1f MB", float64(img.Size)/1e6)
	if got := img.Config.Labels[images.LabelRole]; got != "base" {
		t.Errorf("label %s = %q, want base", images.LabelRole, got)
	}
	if got := img.Config.Labels[images.LabelBaseOrigin]; got != res.Origin || got == "" {
		t.Errorf("label %s = %q, want %q", images.LabelBaseOrigin, got, res.Origin)
	}

	// The trimmed root: slim settings present, caches and docs gone.
	check := `set -e
grep -q 'Install-Recommends "false"' /etc/apt/apt.conf.d/90wpstack
grep -q 'Check-Valid-Until "false"' /etc/apt/apt.conf.d/90wpstack
grep -q 'path-exclude /usr/share/doc/\*' /etc/dpkg/dpkg.cfg.d/wpstack-slim
for s in "bookworm main" "bookworm-updates main" "bookworm-security main"; do grep -q "$s" /etc/apt/sources.list; done
test -z "$(find /var/lib/apt/lists /var/cache/apt -type f ! -name lock)"
test -z "$(find /usr/share/man /usr/share/info -type f 2>/dev/null)"
test -z "$(find /usr/share/doc -type f ! -name copyright)"
test -z "$(find /usr/share/locale -type f ! -name locale.alias 2>/dev/null)"
apt-get --version >/dev/null
`
	out, err := exec.CommandContext(ctx, "docker", "run", "--rm", "--name", "wpt-b-base-check", "--network", "none", tag, "sh", "-c", check).CombinedOutput()
	if err != nil {
		t.Errorf("base root is not trimmed as docs/internals.md says: %v\n%s", err, out)
	}

	// Present now: a second call reuses it.
	again, err := images.Base(ctx, cli, images.BaseOptions{Tag: tag})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || again.ID != res.ID || again.Origin != res.Origin {
		t.Errorf("second Base = %+v, want the existing %+v", again, res)
	}
}

func TestImagesEnsureTwice(t *testing.T) {
	cli := imagesEngine(t)
	ctx := imagesCtx(t, 30*time.Minute)
	opts := images.Options{Source: "debian", CacheDir: t.TempDir(), Binary: imagesBinary(t), Prefix: "wpt-b"}
	t.Cleanup(func() { imagesRemoveRepo(t, cli, "wpt-b/wpsrc-debian") })

	start := time.Now()
	first, err := images.Ensure(ctx, cli, opts)
	if first.WebID != "" || first.DBID != "" {
		t.Cleanup(func() {
			imagesRemove(t, cli, first.WebID)
			imagesRemove(t, cli, first.DBID)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first Ensure in %s: %+v", time.Since(start).Round(time.Millisecond), first)
	if !strings.HasPrefix(first.Web, "wpt-b/web:"+first.WordPressVersion+"-") || !strings.HasPrefix(first.DB, "wpt-b/db:") {
		t.Errorf("refs = %s, %s; want wpt-b/web:<version>-<hash12>, wpt-b/db:<hash12>", first.Web, first.DB)
	}
	for _, ref := range []string{first.Web, first.DB} {
		img, err := cli.ImageInspect(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.1f MB", ref, float64(img.Size)/1e6)
		l := img.Config.Labels
		if l[images.LabelRecipe] == "" || l[images.LabelRole] == "" {
			t.Errorf("%s lacks role/recipe labels: %v", ref, l)
		}
		if strings.Contains(ref, "/web:") && (l[images.LabelWPVersion] != first.WordPressVersion || l[images.LabelWPSource] == "") {
			t.Errorf("%s lacks wordpress labels: %v", ref, l)
		}
	}

	start = time.Now()
	second, err := images.Ensure(ctx, cli, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second Ensure in %s", time.Since(start).Round(time.Millisecond))
	if second.WebBuilt || second.DBBuilt {
		t.Errorf("second Ensure built again (web %v, db %v), want cache hits", second.WebBuilt, second.DBBuilt)
	}
	if second.WebID != first.WebID || second.DBID != first.DBID || second.Web != first.Web || second.DB != first.DB {
		t.Errorf("second Ensure = %+v, want the images of the first %+v", second, first)
	}
}
