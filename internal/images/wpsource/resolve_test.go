package wpsource

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// releaseServer serves an archive and the given checksum files, counting
// archive downloads.
func releaseServer(t *testing.T, archive []byte, sums map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var downloads atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for ext, sum := range sums {
			if strings.HasSuffix(r.URL.Path, ext) {
				fmt.Fprintf(w, "%s  wordpress-6.7.1.tar.gz\n", sum)
				return
			}
		}
		if strings.HasSuffix(r.URL.Path, ".tar.gz") {
			if r.Method == http.MethodGet {
				downloads.Add(1)
			}
			w.Write(archive)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &downloads
}

func TestResolveURLVerifiesSHA1AndCaches(t *testing.T) {
	archive := tarGz(t, release("6.7.1"))
	srv, downloads := releaseServer(t, archive, map[string]string{".sha1": fmt.Sprintf("%x", sha1.Sum(archive))})
	cacheDir := t.TempDir()
	opts := Options{Spec: srv.URL + "/wordpress-6.7.1.tar.gz", CacheDir: cacheDir, HTTPClient: srv.Client()}

	src, err := Resolve(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if src.Version != "6.7.1" || src.Kind != KindURL || src.Cached || !strings.Contains(src.Description, "sha1 verified") {
		t.Fatalf("Resolve = %+v", src)
	}
	if h, _ := HashTree(src.Dir); h != src.Hash {
		t.Errorf("Hash = %s, tree hashes to %s", src.Hash, h)
	}
	warm, err := Resolve(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !warm.Cached || warm.Hash != src.Hash || downloads.Load() != 1 {
		t.Errorf("warm Resolve = %+v after %d downloads, want a cache hit after 1", warm, downloads.Load())
	}
}

func TestResolveURLPrefersSHA256(t *testing.T) {
	archive := tarGz(t, release("6.7.1"))
	srv, _ := releaseServer(t, archive, map[string]string{
		".sha256": fmt.Sprintf("%x", sha256.Sum256(archive)),
		".sha1":   strings.Repeat("0", 40), // wrong: must not be used
	})
	src, err := Resolve(context.Background(), Options{Spec: srv.URL + "/wordpress-6.7.1.tar.gz", CacheDir: t.TempDir(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.Description, "sha256 verified") {
		t.Errorf("Description = %q, want sha256 verified", src.Description)
	}
}

func TestResolveURLChecksumMismatch(t *testing.T) {
	archive := tarGz(t, release("6.7.1"))
	wrong := strings.Repeat("ab", 20)
	srv, _ := releaseServer(t, archive, map[string]string{".sha1": wrong})
	cacheDir := t.TempDir()
	_, err := Resolve(context.Background(), Options{Spec: srv.URL + "/wordpress-6.7.1.tar.gz", CacheDir: cacheDir, HTTPClient: srv.Client()})
	if err == nil {
		t.Fatal("a mismatching archive was accepted")
	}
	got := fmt.Sprintf("%x", sha1.Sum(archive))
	for _, want := range []string{"checksum mismatch", wrong, got} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(cacheDir, "wordpress"))
	if len(entries) != 0 {
		t.Errorf("cache holds %d entries after a mismatch, want none", len(entries))
	}
}

func TestResolveURLWithoutChecksum(t *testing.T) {
	srv, _ := releaseServer(t, tarGz(t, release("6.7.1")), nil)
	_, err := Resolve(context.Background(), Options{Spec: srv.URL + "/wordpress-6.7.1.tar.gz", CacheDir: t.TempDir(), HTTPClient: srv.Client()})
	if err == nil || !strings.Contains(err.Error(), "no published checksum") {
		t.Fatalf("error = %v, want no published checksum", err)
	}
}

func TestResolveDefault(t *testing.T) {
	archive := tarGz(t, release("6.8.0"))
	srv, _ := releaseServer(t, archive, map[string]string{".sha1": fmt.Sprintf("%x", sha1.Sum(archive))})

	src, err := Resolve(context.Background(), Options{CacheDir: t.TempDir(), HTTPClient: srv.Client(), LatestURL: srv.URL + "/latest.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind != KindURL || src.Version != "6.8.0" {
		t.Errorf("reachable latest: Resolve = %+v, want the release", src)
	}

	// Unreachable: falls back to debian, which needs an engine.
	srv.Close()
	start := time.Now()
	_, err = Resolve(context.Background(), Options{CacheDir: t.TempDir(), HTTPClient: srv.Client(), LatestURL: srv.URL + "/latest.tar.gz", ProbeTimeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "debian WordPress source needs a Docker engine") {
		t.Errorf("unreachable latest: error = %v, want the debian fallback", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("fallback took %s", d)
	}
}

func TestResolveLocalArchiveAndFolder(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "wordpress-6.7.1.zip")
	os.WriteFile(zipPath, zipBytes(t, release("6.7.1")), 0o644)
	cacheDir := t.TempDir()

	a, err := Resolve(context.Background(), Options{Spec: zipPath, CacheDir: cacheDir})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindArchive || a.Version != "6.7.1" || !strings.HasPrefix(a.Dir, cacheDir) {
		t.Errorf("archive: %+v", a)
	}
	b, err := Resolve(context.Background(), Options{Spec: zipPath, CacheDir: cacheDir})
	if err != nil || !b.Cached {
		t.Errorf("second archive resolve = %+v, %v; want cached", b, err)
	}

	f, err := Resolve(context.Background(), Options{Spec: a.Dir, CacheDir: cacheDir})
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != KindFolder || f.Dir != a.Dir || f.Hash != a.Hash {
		t.Errorf("folder: %+v, want the same tree as %+v", f, a)
	}
}
