package plan

import (
	"fmt"
	"strconv"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// VolumeBackups holds the scheduled backups of a site.
const VolumeBackups = "backups"

// BackupsTarget is where the backup service writes its archives.
const BackupsTarget = contract.BackupsDir

// addBackup adds the scheduled backup service when the spec has a schedule:
// the db image (it has mariadb-dump and wpstack), the webroot read-only,
// the database password as a secret, and a volume (or host folder) of its own.
func addBackup(spec site.Spec, in Inputs, p *types.Project) {
	if spec.BackupEvery == "" {
		return
	}
	s := types.ServiceConfig{
		Name:    site.ServiceBackup,
		Restart: types.RestartPolicyUnlessStopped,
	}
	s.Image = in.DBImage
	s.Labels = spec.Labels(site.ServiceBackup)
	s.Entrypoint = contract.Command(contract.RoleBackup)
	e := backupEnv(spec)
	e[contract.EnvWPDBHost] = fmt.Sprintf("%s:%d", site.ServiceDB, contract.DBPort)
	e[contract.EnvDBPasswordFile] = contract.SecretPath(contract.SecretDB)
	s.Environment = env(e)
	s.Secrets = secrets(state.SecretDB)
	html := dataMount(spec, VolumeHTML)
	html.ReadOnly = true
	s.Volumes = []types.ServiceVolumeConfig{html, backupsMount(spec, site.ServiceBackup, p)}
	s.Tmpfs = types.StringList{"/run", "/tmp"}
	s.Networks = map[string]*types.ServiceNetworkConfig{network: nil}
	s.DependsOn = types.DependsOnConfig{site.ServiceDB: {Condition: types.ServiceConditionHealthy, Required: true}}
	s.HealthCheck = health(contract.RoleBackup)
	grace := types.Duration(30 * time.Second)
	s.StopGracePeriod = &grace
	harden(&s)
	p.Services[site.ServiceBackup] = s
}

// backupsMount mounts the site's backups volume (declared in p, owned by
// service) or its host folder under DataDir.
func backupsMount(spec site.Spec, service string, p *types.Project) types.ServiceVolumeConfig {
	if spec.DataDir != "" {
		return types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: spec.BackupsDir(),
			Target: BackupsTarget, Bind: &types.ServiceVolumeBind{CreateHostPath: true}}
	}
	if p.Volumes == nil {
		p.Volumes = types.Volumes{}
	}
	p.Volumes[VolumeBackups] = types.VolumeConfig{Name: spec.VolumeName(VolumeBackups), Labels: spec.Labels(service)}
	return types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: VolumeBackups, Target: BackupsTarget}
}

// backupEnv is what the backup loop reads, in its own service or in the
// all-in-one container.
func backupEnv(spec site.Spec) map[string]string {
	return map[string]string{
		contract.EnvSite:        spec.Name,
		contract.EnvBackupEvery: spec.BackupEvery,
		contract.EnvBackupKeep:  strconv.Itoa(spec.BackupKeep),
		// The site's URL is read from its options table.
		contract.EnvWPTablePrefix: spec.Prefix(),
	}
}
