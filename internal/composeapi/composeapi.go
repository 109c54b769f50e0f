// Package composeapi converts the parts of a compose service that both
// targets run the same way into Engine API types: environment, health
// check and volume mounts. The single-host engine and the swarm target
// wrap them in their own container or task specs.
package composeapi

import (
	"fmt"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
)

// Env is the service's environment as sorted NAME=value lines; unset names
// (nil values) are left out.
func Env(m types.MappingWithEquals) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	sort.Strings(out)
	return out
}

// Healthcheck converts a compose health check; a disabled one is the
// Engine API's NONE test, which turns off the image's own check.
func Healthcheck(h *types.HealthCheckConfig) *container.HealthConfig {
	if h == nil {
		return nil
	}
	if h.Disable {
		return &container.HealthConfig{Test: []string{"NONE"}}
	}
	c := &container.HealthConfig{Test: []string(h.Test), Interval: Duration(h.Interval), Timeout: Duration(h.Timeout), StartPeriod: Duration(h.StartPeriod)}
	if h.Retries != nil {
		c.Retries = int(*h.Retries)
	}
	return c
}

// Duration is a compose duration, zero when unset.
func Duration(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

// Mount converts a named volume or a bind mount of the service; a named
// volume is mounted under its engine name from the project's volumes.
func Mount(p *types.Project, service string, v types.ServiceVolumeConfig) (mount.Mount, error) {
	m := mount.Mount{Target: v.Target, ReadOnly: v.ReadOnly}
	switch v.Type {
	case types.VolumeTypeVolume:
		vol, ok := p.Volumes[v.Source]
		if !ok {
			return m, fmt.Errorf("service %q uses undeclared volume %q", service, v.Source)
		}
		m.Type, m.Source = mount.TypeVolume, vol.Name
	case types.VolumeTypeBind:
		m.Type, m.Source = mount.TypeBind, v.Source
	default:
		return m, fmt.Errorf("service %q: unsupported mount type %q", service, v.Type)
	}
	return m, nil
}
