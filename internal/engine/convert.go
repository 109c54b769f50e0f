package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/go-connections/nat"

	"github.com/wpstack/wpstack/internal/composeapi"
	"github.com/wpstack/wpstack/internal/site"
)

// spec is everything the Engine API needs to create one container.
type spec struct {
	Name    string
	Service string // the plan's service key
	Config  *container.Config
	Host    *container.HostConfig
	Network *network.NetworkingConfig
	Hash    string
}

// containerSpec converts one compose service of the plan into Engine API
// structures, and hashes them so a changed plan re-creates the container.
func containerSpec(p *types.Project, s site.Spec, name string) (spec, error) {
	svc, ok := p.Services[name]
	if !ok {
		return spec{}, fmt.Errorf("service %q not in the plan of %q", name, p.Name)
	}
	cfg := &container.Config{
		Image:  svc.Image,
		Labels: map[string]string{},
		Env:    composeapi.Env(svc.Environment),
		// Set only by services that run another role of an image (the
		// backup service); nil keeps the image's own.
		Entrypoint: strslice.StrSlice(svc.Entrypoint),
		Cmd:        strslice.StrSlice(svc.Command),
	}
	for k, v := range svc.Labels {
		cfg.Labels[k] = v
	}
	cfg.Healthcheck = composeapi.Healthcheck(svc.HealthCheck)
	if svc.StopGracePeriod != nil {
		secs := int(time.Duration(*svc.StopGracePeriod) / time.Second)
		cfg.StopTimeout = &secs
	}
	host := &container.HostConfig{
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyMode(svc.Restart)},
		Tmpfs:          map[string]string{},
		ReadonlyRootfs: svc.ReadOnly,
		CapDrop:        svc.CapDrop,
		CapAdd:         svc.CapAdd,
		SecurityOpt:    svc.SecurityOpt,
	}
	for _, t := range svc.Tmpfs {
		host.Tmpfs[t] = ""
	}
	for _, v := range svc.Volumes {
		m, err := composeapi.Mount(p, name, v)
		if err != nil {
			return spec{}, err
		}
		host.Mounts = append(host.Mounts, m)
	}
	for _, sec := range svc.Secrets {
		def, ok := p.Secrets[sec.Source]
		if !ok || def.File == "" {
			return spec{}, fmt.Errorf("service %q uses secret %q that has no file", name, sec.Source)
		}
		// File-based secrets are read-only bind mounts, as compose does outside a swarm.
		host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeBind, Source: def.File, Target: sec.Target, ReadOnly: true})
	}
	if len(svc.Ports) > 0 {
		cfg.ExposedPorts = nat.PortSet{}
		host.PortBindings = nat.PortMap{}
		for _, pt := range svc.Ports {
			port := nat.Port(fmt.Sprintf("%d/%s", pt.Target, protocol(pt.Protocol)))
			cfg.ExposedPorts[port] = struct{}{}
			host.PortBindings[port] = append(host.PortBindings[port], nat.PortBinding{HostIP: pt.HostIP, HostPort: pt.Published})
		}
	}
	eps := map[string]*network.EndpointSettings{}
	for key, n := range svc.Networks {
		def, ok := p.Networks[key]
		if !ok {
			return spec{}, fmt.Errorf("service %q uses undeclared network %q", name, key)
		}
		ep := &network.EndpointSettings{}
		if n != nil {
			ep.Aliases = append(ep.Aliases, n.Aliases...)
		}
		eps[def.Name] = ep
	}
	netCfg := &network.NetworkingConfig{EndpointsConfig: eps}

	b, err := json.Marshal([]any{cfg, host, netCfg})
	if err != nil {
		return spec{}, fmt.Errorf("hash service %q: %w", name, err)
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])[:16]
	cfg.Labels[site.LabelConfig] = hash
	return spec{Name: s.ContainerName(name), Service: name, Config: cfg, Host: host, Network: netCfg, Hash: hash}, nil
}

func protocol(p string) string {
	if p == "" {
		return "tcp"
	}
	return p
}

// PortBindings returns the host ports a site's spec publishes, for checks
// made before anything is built.
func PortBindings(s site.Spec) *container.HostConfig {
	if s.HasDomains() {
		// Served by the edge: its ports are the ones to check.
		return &container.HostConfig{PortBindings: nat.PortMap{
			"8080/tcp": {{HostPort: fmt.Sprint(s.HTTPPort)}},
			"8443/tcp": {{HostPort: fmt.Sprint(s.HTTPSPort)}},
		}}
	}
	port := nat.Port("80/tcp")
	return &container.HostConfig{PortBindings: nat.PortMap{port: {{HostIP: s.Bind, HostPort: fmt.Sprint(s.Port)}}}}
}
