package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

func TestCheckFoldersRefusesAnotherSitesData(t *testing.T) {
	tmp := t.TempDir()
	s := &Service{store: state.Store{Root: filepath.Join(tmp, "state")}}
	data := filepath.Join(tmp, "sites", "blog")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	alias := filepath.Join(tmp, "alias")
	if err := os.Symlink(data, alias); err != nil {
		t.Fatal(err)
	}
	for _, sp := range []site.Spec{
		{Name: "blog", DataDir: data},
		{Name: "shop", Target: site.TargetSwarm, SharedStorage: "/mnt/shared/shop"},
	} {
		sp.ApplyDefaults()
		if err := s.store.Save(sp); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		spec site.Spec
		want string // "" = accepted
	}{
		{site.Spec{Name: "news", DataDir: data}, `holds site "blog"'s data`},
		{site.Spec{Name: "news", DataDir: filepath.Join(data, "inner")}, `site "blog"`},
		{site.Spec{Name: "news", DataDir: filepath.Join(tmp, "sites")}, `site "blog"`},
		{site.Spec{Name: "news", DataDir: alias}, `site "blog"`},
		{site.Spec{Name: "news", Target: site.TargetSwarm, SharedStorage: "/mnt/shared/shop/x"}, `site "shop"`},
		{site.Spec{Name: "news", DataDir: filepath.Join(tmp, "sites", "news")}, ""},
		{site.Spec{Name: "news", Target: site.TargetSwarm, SharedStorage: "/mnt/shared/news"}, ""},
		{site.Spec{Name: "blog", DataDir: data}, ""}, // its own folder
		{site.Spec{Name: "news"}, ""},
	} {
		err := s.checkFolders(tt.spec)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v refused: %v", tt.spec, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "a folder of its own")):
			t.Errorf("%+v: error %v, want %q and the fix", tt.spec, err, tt.want)
		}
	}
}
