package plan

import (
	"fmt"
	"maps"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// Where the data lives inside the images.
const (
	dbTarget   = contract.DBDataDir
	htmlTarget = contract.Webroot
	// allInOneDBHost is the database as WordPress reaches it in the
	// all-in-one container: MariaDB's socket.
	allInOneDBHost = "localhost:" + contract.DBSocket
)

// buildAllInOne plans the all-in-one layout: one container running MariaDB
// and Apache/PHP, on its own network, with the same volumes (or host
// folders) and secrets as the split layout.
func buildAllInOne(spec site.Spec, in Inputs) (*types.Project, error) {
	if in.AllInOneImage == "" {
		return nil, fmt.Errorf("plan site %q: the all-in-one image is required", spec.Name)
	}
	svc := site.ServiceAllInOne
	p := &types.Project{
		Name: spec.Project(),
		Networks: types.Networks{
			network: {Name: spec.NetworkName(), Labels: spec.Labels("")},
		},
		Volumes:  dataVolumes(spec, svc, svc),
		Secrets:  types.Secrets{},
		Services: types.Services{},
	}
	s := allInOneService(spec, in)
	if spec.BackupEvery != "" {
		// The one container runs the backup loop as a third child.
		for k, v := range backupEnv(spec) {
			s.Environment[k] = &v
		}
		s.Volumes = append(s.Volumes, backupsMount(spec, svc, p))
	}
	p.Services[svc] = s
	addFileSecrets(spec, in, p)
	addRuntime(spec, in, p, svc)
	return p, nil
}

func allInOneService(spec site.Spec, in Inputs) types.ServiceConfig {
	s := types.ServiceConfig{
		Name:    site.ServiceAllInOne,
		Restart: types.RestartPolicyUnlessStopped,
	}
	s.Image = in.AllInOneImage
	s.Labels = spec.Labels(site.ServiceAllInOne)
	e := withAutoUpgrade(spec, dbEnv())
	maps.Copy(e, webEnv(allInOneDBHost, spec.Prefix()))
	s.Environment = env(e)
	s.Secrets = secrets(state.SecretDBRoot, state.SecretDB, state.SecretWPSalts)
	s.Volumes = []types.ServiceVolumeConfig{dataMount(spec, VolumeDB), dataMount(spec, VolumeHTML)}
	s.Tmpfs = types.StringList{"/run", "/tmp"}
	s.ReadOnly = true
	s.Ports = []types.ServicePortConfig{{Target: contract.WebPort, Published: fmt.Sprint(spec.Port), HostIP: spec.Bind, Protocol: "tcp"}}
	s.Networks = map[string]*types.ServiceNetworkConfig{network: nil}
	// The first start initialises the database before Apache starts.
	s.HealthCheck = health(contract.RoleAllInOne)
	// PID 1 gives its children 8 s, inside Docker's 10.
	grace := types.Duration(10 * time.Second)
	s.StopGracePeriod = &grace
	harden(&s)
	return s
}

// dataVolumes declares the named volumes of a site, or none when its data
// lives in host folders (DataDir).
func dataVolumes(spec site.Spec, dbService, webService string) types.Volumes {
	if spec.DataDir != "" {
		return nil
	}
	return types.Volumes{
		VolumeDB:   {Name: spec.VolumeName(VolumeDB), Labels: spec.Labels(dbService)},
		VolumeHTML: {Name: spec.VolumeName(VolumeHTML), Labels: spec.Labels(webService)},
	}
}

// dataMount mounts the volume key (VolumeDB or VolumeHTML) at its place:
// the named volume, or its host folder under DataDir.
func dataMount(spec site.Spec, key string) types.ServiceVolumeConfig {
	target := dbTarget
	if key == VolumeHTML {
		target = htmlTarget
	}
	if spec.DataDir == "" {
		return types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: key, Target: target}
	}
	dbDir, htmlDir := spec.DataDirs()
	src := dbDir
	if key == VolumeHTML {
		src = htmlDir
	}
	return types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: src, Target: target,
		Bind: &types.ServiceVolumeBind{CreateHostPath: true}}
}
