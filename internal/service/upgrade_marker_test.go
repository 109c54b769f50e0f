package service

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

func TestUpgradeMarker(t *testing.T) {
	s := &Service{store: state.Store{Root: t.TempDir()}}
	if err := os.MkdirAll(s.store.SiteDir("blog"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.readUpgradeMarker("blog"); found || err != nil {
		t.Fatalf("no marker yet: found %v, err %v", found, err)
	}
	want := upgradeMarker{From: "bookworm", To: "trixie", Safety: "/b/blog-pre-upgrade.wpbackup", Web: "r/web@sha256:1", DB: "r/db@sha256:2", Edge: "r/edge@sha256:3", Started: time.Unix(1, 0).UTC()}
	if err := s.writeUpgradeMarker("blog", want); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.upgradeMarkerPath("blog"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("marker: %v, mode %v", err, fi.Mode())
	}
	got, found, err := s.readUpgradeMarker("blog")
	if err != nil || !found || got != want {
		t.Fatalf("read back %+v, %v, %v; want %+v", got, found, err, want)
	}
	if img := got.images(); img.Web != want.Web || img.DB != want.DB || img.Edge != want.Edge {
		t.Errorf("images %+v", img)
	}

	// A spec already on the new stack: the upgrade had finished; the
	// marker goes and nothing is rolled back (no target is needed).
	done := site.Spec{Name: "blog", Target: site.TargetSwarm, Stack: "trixie"}
	if back, err := s.recoverSwarmUpgrade(context.Background(), nil, done); back || err != nil {
		t.Fatalf("finished upgrade: back %v, err %v", back, err)
	}
	if _, err := os.Stat(s.upgradeMarkerPath("blog")); !os.IsNotExist(err) {
		t.Errorf("the marker of a finished upgrade is still there: %v", err)
	}

	// A damaged marker is an error that says what to do, not a silent skip.
	if err := os.WriteFile(s.upgradeMarkerPath("blog"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.readUpgradeMarker("blog"); err == nil || !strings.Contains(err.Error(), "wpstack restore blog") {
		t.Errorf("damaged marker: %v", err)
	}
}
