package swarm

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/composeapi"
	"github.com/wpstack/wpstack/internal/contract"
)

// LabelNamespace is the docker CLI's stack label.
const LabelNamespace = contract.LabelStackNamespace

const secretsDir = contract.SecretsDir + "/"

// ServiceName is a stack service's swarm name.
func ServiceName(stack, service string) string { return stack + "_" + service }

// ServiceSpecs converts the stack's services into swarm specs, sorted by
// name. secretIDs maps a project secret key to its swarm secret ID.
func ServiceSpecs(p *types.Project, secretIDs map[string]string) ([]swarm.ServiceSpec, error) {
	var out []swarm.ServiceSpec
	for _, name := range p.ServiceNames() {
		spec, err := serviceSpec(p, p.Services[name], secretIDs)
		if err != nil {
			return nil, fmt.Errorf("convert service %s of stack %s: %w", name, p.Name, err)
		}
		out = append(out, spec)
	}
	return out, nil
}

func serviceSpec(p *types.Project, s types.ServiceConfig, secretIDs map[string]string) (swarm.ServiceSpec, error) {
	if s.Deploy == nil {
		return swarm.ServiceSpec{}, fmt.Errorf("no deploy section")
	}
	d := s.Deploy
	labels := withNamespace(d.Labels, p.Name)
	cs := &swarm.ContainerSpec{
		Image:          s.Image,
		Labels:         withNamespace(s.Labels, p.Name),
		Command:        []string(s.Entrypoint),
		Args:           []string(s.Command),
		Hostname:       s.Hostname,
		Env:            composeapi.Env(s.Environment),
		User:           s.User,
		CapabilityAdd:  s.CapAdd,
		CapabilityDrop: s.CapDrop,
		ReadOnly:       s.ReadOnly,
	}
	privs, err := privileges(s.SecurityOpt)
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	cs.Privileges = privs
	if s.StopGracePeriod != nil {
		g := time.Duration(*s.StopGracePeriod)
		cs.StopGracePeriod = &g
	}
	if s.StopSignal != "" {
		cs.StopSignal = s.StopSignal
	}
	cs.Healthcheck = composeapi.Healthcheck(s.HealthCheck)
	mounts, err := mounts(p, s)
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	cs.Mounts = mounts
	for _, ref := range s.Secrets {
		id, ok := secretIDs[ref.Source]
		if !ok {
			return swarm.ServiceSpec{}, fmt.Errorf("secret %s has no swarm secret", ref.Source)
		}
		target := ref.Target
		if target == "" {
			target = ref.Source
		}
		if !strings.HasPrefix(target, secretsDir) && path.IsAbs(target) {
			return swarm.ServiceSpec{}, fmt.Errorf("secret %s: target %s is outside %s", ref.Source, target, secretsDir)
		}
		// Read by PID 1 as root before it drops privileges, unless the
		// reference names the reader (a service that starts as its user).
		file := &swarm.SecretReferenceFileTarget{Name: strings.TrimPrefix(target, secretsDir), UID: "0", GID: "0", Mode: 0o400}
		if ref.UID != "" {
			file.UID, file.GID = ref.UID, ref.GID
			if ref.GID == "" {
				file.GID = ref.UID
			}
		}
		if ref.Mode != nil {
			file.Mode = os.FileMode(*ref.Mode)
		}
		cs.Secrets = append(cs.Secrets, &swarm.SecretReference{SecretID: id, SecretName: p.Secrets[ref.Source].Name, File: file})
	}

	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: ServiceName(p.Name, s.Name), Labels: labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: cs,
			RestartPolicy: restartPolicy(d.RestartPolicy),
			Placement:     placement(d.Placement),
		},
		UpdateConfig:   updateConfig(d.UpdateConfig),
		RollbackConfig: updateConfig(d.RollbackConfig),
		EndpointSpec:   &swarm.EndpointSpec{Mode: swarm.ResolutionMode(d.EndpointMode)},
	}
	if spec.EndpointSpec.Mode == "" {
		spec.EndpointSpec.Mode = swarm.ResolutionModeVIP
	}
	for _, key := range sortedKeys(s.Networks) {
		n, ok := p.Networks[key]
		if !ok {
			return swarm.ServiceSpec{}, fmt.Errorf("network %s is not defined", key)
		}
		aliases := []string{s.Name}
		if cfg := s.Networks[key]; cfg != nil {
			for _, a := range cfg.Aliases {
				if a != s.Name {
					aliases = append(aliases, a)
				}
			}
		}
		spec.TaskTemplate.Networks = append(spec.TaskTemplate.Networks, swarm.NetworkAttachmentConfig{Target: n.Name, Aliases: aliases})
	}
	for _, port := range s.Ports {
		pub, err := strconv.ParseUint(port.Published, 10, 32)
		if err != nil {
			return swarm.ServiceSpec{}, fmt.Errorf("published port %q: %w", port.Published, err)
		}
		mode := swarm.PortConfigPublishModeIngress
		if port.Mode == "host" {
			mode = swarm.PortConfigPublishModeHost
		}
		spec.EndpointSpec.Ports = append(spec.EndpointSpec.Ports, swarm.PortConfig{
			Protocol: swarm.PortConfigProtocol(orTCP(port.Protocol)), TargetPort: port.Target,
			PublishedPort: uint32(pub), PublishMode: mode,
		})
	}
	switch d.Mode {
	case "global":
		spec.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
	case "", "replicated":
		n := uint64(1)
		if d.Replicas != nil {
			n = uint64(*d.Replicas)
		}
		spec.Mode = swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}}
	default:
		return swarm.ServiceSpec{}, fmt.Errorf("deploy mode %q is not supported", d.Mode)
	}
	return spec, nil
}

// privileges maps the security options swarm offers. no-new-privileges
// reaches the task from Engine API 1.44 (Docker 25.0) on; an older engine
// drops the field without an error (see MinAPINoNewPrivileges).
func privileges(opts []string) (*swarm.Privileges, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	p := &swarm.Privileges{}
	for _, o := range opts {
		switch o {
		case "no-new-privileges", "no-new-privileges:true", "no-new-privileges=true":
			p.NoNewPrivileges = true
		case "no-new-privileges:false", "no-new-privileges=false":
			p.NoNewPrivileges = false
		default:
			return nil, fmt.Errorf("security option %q is not supported on a swarm service: only no-new-privileges is", o)
		}
	}
	return p, nil
}

func mounts(p *types.Project, s types.ServiceConfig) ([]mount.Mount, error) {
	var out []mount.Mount
	for _, t := range s.Tmpfs {
		out = append(out, mount.Mount{Type: mount.TypeTmpfs, Target: t})
	}
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == "" {
			// Anonymous: the task's own, removed with its container.
			out = append(out, mount.Mount{Type: mount.TypeVolume, Target: v.Target, ReadOnly: v.ReadOnly})
			continue
		}
		m, err := composeapi.Mount(p, s.Name, v)
		if err != nil {
			return nil, err
		}
		if m.Type == mount.TypeVolume {
			// Swarm creates the volume on the task's node: it gets the labels there.
			m.VolumeOptions = &mount.VolumeOptions{Labels: withNamespace(p.Volumes[v.Source].Labels, p.Name)}
		}
		out = append(out, m)
	}
	return out, nil
}

func restartPolicy(r *types.RestartPolicy) *swarm.RestartPolicy {
	if r == nil {
		return nil
	}
	out := &swarm.RestartPolicy{Condition: swarm.RestartPolicyCondition(r.Condition), MaxAttempts: r.MaxAttempts}
	if r.Delay != nil {
		d := time.Duration(*r.Delay)
		out.Delay = &d
	}
	if r.Window != nil {
		w := time.Duration(*r.Window)
		out.Window = &w
	}
	return out
}

func placement(p types.Placement) *swarm.Placement {
	out := &swarm.Placement{Constraints: p.Constraints, MaxReplicas: p.MaxReplicas}
	for _, pref := range p.Preferences {
		out.Preferences = append(out.Preferences, swarm.PlacementPreference{Spread: &swarm.SpreadOver{SpreadDescriptor: pref.Spread}})
	}
	return out
}

func updateConfig(u *types.UpdateConfig) *swarm.UpdateConfig {
	if u == nil {
		return nil
	}
	out := &swarm.UpdateConfig{
		Delay: time.Duration(u.Delay), FailureAction: u.FailureAction, Monitor: time.Duration(u.Monitor),
		MaxFailureRatio: u.MaxFailureRatio, Order: u.Order,
	}
	if u.Parallelism != nil {
		out.Parallelism = *u.Parallelism
	}
	return out
}

func withNamespace(l map[string]string, stack string) map[string]string {
	out := map[string]string{LabelNamespace: stack}
	for k, v := range l {
		out[k] = v
	}
	return out
}

func orTCP(p string) string {
	if p == "" {
		return "tcp"
	}
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
