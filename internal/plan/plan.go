// Package plan turns a site spec into the desired resources, as a Compose
// Specification model. It is pure: no I/O. What `up` applies and what
// `export` writes both come from Build, so they cannot drift.
package plan

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/state"
)

// Inputs are the facts the plan needs besides the spec.
type Inputs struct {
	WebImage   string
	DBImage    string
	SecretsDir string // host folder holding the site's secret files
	// AllInOneImage is the one image of the all-in-one layout.
	AllInOneImage string
}

// Volume keys (the compose names; the engine names are site.VolumeName(key)).
const (
	VolumeDB   = "db"
	VolumeHTML = "html"
	network    = "default"
)

// Build returns the compose project for a validated, defaulted spec.
func Build(spec site.Spec, in Inputs) (*types.Project, error) {
	switch spec.Layout {
	case site.LayoutSplit:
	case site.LayoutAllInOne:
		return buildAllInOne(spec, in)
	default:
		return nil, fmt.Errorf("plan layout %q: want %q or %q", spec.Layout, site.LayoutSplit, site.LayoutAllInOne)
	}
	if in.WebImage == "" || in.DBImage == "" {
		return nil, fmt.Errorf("plan site %q: web and db images are required", spec.Name)
	}
	p := &types.Project{
		Name: spec.Project(),
		Networks: types.Networks{
			network: {Name: spec.NetworkName(), Labels: spec.Labels("")},
		},
		Volumes: dataVolumes(spec, site.ServiceDB, site.ServiceWeb),
		Secrets: types.Secrets{},
		Services: types.Services{
			site.ServiceDB:  dbService(spec, in),
			site.ServiceWeb: webService(spec, in),
		},
	}
	addFileSecrets(spec, in, p)
	addRuntime(spec, in, p, site.ServiceWeb)
	addBackup(spec, in, p)
	addEdge(spec, p)
	return p, nil
}

// addFileSecrets declares the site's secrets, read from its secrets folder.
func addFileSecrets(spec site.Spec, in Inputs, p *types.Project) {
	for _, s := range []string{state.SecretDBRoot, state.SecretDB, state.SecretWPSalts} {
		p.Secrets[s] = types.SecretConfig{Name: spec.Name + "_" + s, File: filepath.Join(in.SecretsDir, s)}
	}
}

// dbEnv configures the database image: its database, user and passwords.
func dbEnv() map[string]string {
	return map[string]string{
		contract.EnvDBDatabase:     site.DefaultDBName,
		contract.EnvDBUser:         site.DefaultDBUser,
		contract.EnvDBPasswordFile: contract.SecretPath(contract.SecretDB),
		contract.EnvDBRootPassFile: contract.SecretPath(contract.SecretDBRoot),
	}
}

// webEnv configures WordPress to reach its database at dbHost.
func webEnv(dbHost, prefix string) map[string]string {
	return map[string]string{
		contract.EnvWPDBHost:         dbHost,
		contract.EnvWPDBName:         site.DefaultDBName,
		contract.EnvWPDBUser:         site.DefaultDBUser,
		contract.EnvWPDBPasswordFile: contract.SecretPath(contract.SecretDB),
		contract.EnvWPTablePrefix:    prefix,
		contract.EnvSaltsFile:        contract.SecretPath(contract.SecretWPSalts),
		// wpstack installs the site itself: the image's installer refuses
		// requests without the key derived from the salts.
		contract.EnvInstallLock: "1",
	}
}

func dbService(spec site.Spec, in Inputs) types.ServiceConfig {
	s := types.ServiceConfig{
		Name:    site.ServiceDB,
		Restart: types.RestartPolicyUnlessStopped,
	}
	s.Image = in.DBImage
	s.Labels = spec.Labels(site.ServiceDB)
	s.Environment = env(withAutoUpgrade(spec, dbEnv()))
	s.Secrets = secrets(state.SecretDBRoot, state.SecretDB)
	s.Volumes = []types.ServiceVolumeConfig{dataMount(spec, VolumeDB)}
	s.Tmpfs = types.StringList{"/run", "/tmp"}
	// Everything the service writes is on the data mount or a tmpfs.
	s.ReadOnly = true
	s.Networks = map[string]*types.ServiceNetworkConfig{network: {Aliases: []string{site.ServiceDB}}}
	// The first start initialises the database: give it time before failures count.
	s.HealthCheck = health(contract.RoleDB)
	grace := types.Duration(30 * time.Second)
	s.StopGracePeriod = &grace
	harden(&s)
	return s
}

func webService(spec site.Spec, in Inputs) types.ServiceConfig {
	s := types.ServiceConfig{
		Name:    site.ServiceWeb,
		Restart: types.RestartPolicyUnlessStopped,
	}
	s.Image = in.WebImage
	s.Labels = spec.Labels(site.ServiceWeb)
	s.Environment = env(webEnv(fmt.Sprintf("%s:%d", site.ServiceDB, contract.DBPort), spec.Prefix()))
	s.Secrets = secrets(state.SecretDB, state.SecretWPSalts)
	s.Volumes = []types.ServiceVolumeConfig{dataMount(spec, VolumeHTML)}
	s.Tmpfs = types.StringList{"/run", "/tmp"}
	// Everything the service writes is on the data mount or a tmpfs.
	s.ReadOnly = true
	s.Ports = []types.ServicePortConfig{{Target: contract.WebPort, Published: fmt.Sprint(spec.Port), HostIP: spec.Bind, Protocol: "tcp"}}
	s.Networks = map[string]*types.ServiceNetworkConfig{network: nil}
	s.DependsOn = types.DependsOnConfig{site.ServiceDB: {Condition: types.ServiceConditionHealthy, Required: true}}
	s.HealthCheck = health(contract.RoleWeb)
	grace := types.Duration(10 * time.Second)
	s.StopGracePeriod = &grace
	harden(&s)
	return s
}

// harden applies what every wpstack container gets: all capabilities dropped
// but the few PID 1 needs as root before it drops to the service user
// (fix owners, read the secret files, switch user), and no privilege gain
// through setuid binaries afterwards.
func harden(s *types.ServiceConfig) {
	s.CapDrop = []string{"ALL"}
	s.CapAdd = []string{"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"}
	s.SecurityOpt = []string{NoNewPrivileges}
}

// NoNewPrivileges is the security option that sets no_new_privs on every
// process of a container.
const NoNewPrivileges = "no-new-privileges:true"

func env(m map[string]string) types.MappingWithEquals {
	out := types.MappingWithEquals{}
	for k, v := range m {
		v := v
		out[k] = &v
	}
	return out
}

func secrets(names ...string) []types.ServiceSecretConfig {
	out := make([]types.ServiceSecretConfig, 0, len(names))
	for _, n := range names {
		out = append(out, types.ServiceSecretConfig{Source: n, Target: contract.SecretPath(n)})
	}
	return out
}

// health is the image's own check (contract.HealthCommand) with the
// contract's timings, the same as the recipes' HEALTHCHECK.
func health(role string) *types.HealthCheckConfig {
	interval := types.Duration(contract.HealthInterval)
	timeout := types.Duration(contract.HealthTimeout)
	startPeriod := types.Duration(contract.HealthStartPeriod(role))
	retries := uint64(contract.HealthRetries)
	return &types.HealthCheckConfig{
		Test:        append(types.HealthCheckTest{"CMD"}, contract.HealthCommand(role)...),
		Interval:    &interval,
		Timeout:     &timeout,
		Retries:     &retries,
		StartPeriod: &startPeriod,
	}
}

// Order returns the services in start order: dependencies first, names
// breaking ties so the order is stable.
func Order(p *types.Project) ([]string, error) {
	var order []string
	placed := map[string]bool{}
	for len(order) < len(p.Services) {
		progress := false
		for _, name := range p.ServiceNames() { // sorted
			if placed[name] {
				continue
			}
			ready := true
			for dep := range p.Services[name].DependsOn {
				if !placed[dep] {
					ready = false
				}
			}
			if ready {
				order = append(order, name)
				placed[name] = true
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("order services of %q: dependency cycle", p.Name)
		}
	}
	return order, nil
}
