package plan

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/site"
)

func TestBackupService(t *testing.T) {
	in := Inputs{WebImage: "w", DBImage: "d", SecretsDir: "/s"}
	spec := site.Spec{Name: "blog"}
	spec.ApplyDefaults()
	p, err := Build(spec, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Services[site.ServiceBackup]; ok {
		t.Fatal("a site without a schedule got a backup service")
	}

	spec.BackupEvery, spec.BackupKeep = "24h", 3
	for _, dataDir := range []string{"", "/srv/blog"} {
		spec.DataDir = dataDir
		p, err := Build(spec, in)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := p.Services[site.ServiceBackup]
		if !ok {
			t.Fatalf("data dir %q: no backup service", dataDir)
		}
		if b.Image != "d" || strings.Join(b.Entrypoint, " ") != "/usr/local/bin/wpstack-init backup" {
			t.Errorf("backup service runs %s %v, want the db image's `wpstack-init backup`", b.Image, b.Entrypoint)
		}
		if *b.Environment["WPSTACK_BACKUP_EVERY"] != "24h" || *b.Environment["WPSTACK_BACKUP_KEEP"] != "3" {
			t.Errorf("schedule env = %v", b.Environment)
		}
		var html, backups *types.ServiceVolumeConfig
		for i, v := range b.Volumes {
			switch v.Target {
			case "/var/www/html":
				html = &b.Volumes[i]
			case BackupsTarget:
				backups = &b.Volumes[i]
			}
		}
		if html == nil || !html.ReadOnly || backups == nil {
			t.Fatalf("data dir %q: mounts %+v, want the webroot read-only and %s", dataDir, b.Volumes, BackupsTarget)
		}
		if dataDir == "" && (backups.Type != types.VolumeTypeVolume || p.Volumes[VolumeBackups].Name != "blog_backups") {
			t.Errorf("backups mount %+v, volumes %v", backups, p.Volumes)
		}
		if dataDir != "" && (backups.Type != types.VolumeTypeBind || backups.Source != "/srv/blog/backups") {
			t.Errorf("with a data dir, backups mount %+v, want /srv/blog/backups", backups)
		}
	}
}
