package images

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// fakeEngine keeps built images in memory and finds them by label.
type fakeEngine struct {
	Engine // methods Ensure must not call panic
	mu     sync.Mutex
	images []image.Summary
	builds []build.ImageBuildOptions
	ctxs   map[string][]string // tag → context entry names
	tags   []string
}

func (f *fakeEngine) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (image.InspectResponse, error) {
	if ref == BaseTag {
		return image.InspectResponse{ID: "sha256:base"}, nil
	}
	return image.InspectResponse{}, errors.New("not found")
}

func (f *fakeEngine) ImageList(_ context.Context, o image.ListOptions) ([]image.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []image.Summary
	for _, img := range f.images {
		ok := true
		for _, kv := range o.Filters.Get("label") {
			k, v, _ := strings.Cut(kv, "=")
			ok = ok && img.Labels[k] == v
		}
		if ok {
			out = append(out, img)
		}
	}
	return out, nil
}

func (f *fakeEngine) ImageTag(_ context.Context, src, dst string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tags = append(f.tags, src+"→"+dst)
	return nil
}

func (f *fakeEngine) ImageBuild(_ context.Context, r io.Reader, o build.ImageBuildOptions) (build.ImageBuildResponse, error) {
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return build.ImageBuildResponse{}, err
		}
		names = append(names, h.Name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := fmt.Sprintf("sha256:%d", len(f.builds)+1)
	f.builds = append(f.builds, o)
	if f.ctxs == nil {
		f.ctxs = map[string][]string{}
	}
	f.ctxs[o.Tags[0]] = names
	f.images = append(f.images, image.Summary{ID: id, Labels: o.Labels, RepoTags: o.Tags})
	stream := fmt.Sprintf(`{"stream":"Step 1/1 : FROM x\n"}`+"\n"+`{"aux":{"ID":%q}}`, id)
	return build.ImageBuildResponse{Body: io.NopCloser(strings.NewReader(stream))}, nil
}

func TestEnsureBuildsOnceThenReuses(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "wp")
	os.MkdirAll(filepath.Join(tree, "wp-includes"), 0o755)
	os.WriteFile(filepath.Join(tree, "wp-includes", "version.php"), []byte("<?php\n$wp_version = '6.7.1';\n"), 0o644)
	bin := filepath.Join(dir, "wpstack")
	os.WriteFile(bin, []byte("\x7fELF fake binary"), 0o755)

	eng := &fakeEngine{}
	opts := Options{Source: tree, CacheDir: filepath.Join(dir, "cache"), Binary: bin}
	first, err := Ensure(context.Background(), eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !first.WebBuilt || !first.DBBuilt || len(eng.builds) != 2 {
		t.Fatalf("first Ensure = %+v with %d builds, want both built", first, len(eng.builds))
	}
	if !strings.HasPrefix(first.Web, "wpstack/web:6.7.1-") || !strings.HasPrefix(first.DB, "wpstack/db:") || first.WordPressVersion != "6.7.1" {
		t.Errorf("first = %+v", first)
	}
	for _, o := range eng.builds {
		if *o.BuildArgs["BASE"] != BaseTag || o.Labels[LabelRecipe] == "" || o.Version != build.BuilderV1 {
			t.Errorf("build options %+v", o)
		}
		if o.Labels[LabelRole] == "web" && (o.Labels[LabelWPVersion] != "6.7.1" || !strings.Contains(o.Labels[LabelWPSource], "local folder")) {
			t.Errorf("web labels %v", o.Labels)
		}
	}
	webCtx := strings.Join(eng.ctxs[first.Web], " ")
	if !strings.Contains(webCtx, "wordpress/wp-includes/version.php") || !strings.Contains(webCtx, "wpstack") {
		t.Errorf("web context = %s", webCtx)
	}
	if strings.Contains(strings.Join(eng.ctxs[first.DB], " "), "wordpress/") {
		t.Errorf("db context carries WordPress: %v", eng.ctxs[first.DB])
	}

	second, err := Ensure(context.Background(), eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	if second.WebBuilt || second.DBBuilt || len(eng.builds) != 2 {
		t.Errorf("second Ensure built again: %+v, %d builds", second, len(eng.builds))
	}
	if second.WebID != first.WebID || second.Web != first.Web || second.DB != first.DB {
		t.Errorf("second = %+v, want %+v", second, first)
	}

	// A changed tree changes the web recipe only.
	os.WriteFile(filepath.Join(tree, "index.php"), []byte("<?php"), 0o644)
	third, err := Ensure(context.Background(), eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !third.WebBuilt || third.DBBuilt || third.Web == first.Web {
		t.Errorf("after a tree change: %+v, want web rebuilt and db reused", third)
	}
}
