//go:build e2e

package e2e

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/dockerclient"
	"github.com/wpstack/wpstack/internal/events"
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
	src, err := wpsource.Resolve(ctx, wpsource.Options{Spec: "debian", CacheDir: cache, Engine: cli})
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
	warm, err := wpsource.Resolve(ctx, wpsource.Options{Spec: "debian", CacheDir: cache, Engine: cli})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("debian source (warm cache): %s", time.Since(start).Round(time.Millisecond))
	if !warm.Cached || warm.Hash != src.Hash || warm.Dir != src.Dir {
		t.Errorf("warm resolve = %+v, want the cached %+v", warm, src)
	}
}

