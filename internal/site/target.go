package site

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// MaxReplicas bounds --replicas (and the edge's backend slots).
const MaxReplicas = 100

// registryRE is host[:port] with an optional path, as image references allow.
var registryRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._-]+)*$`)

// validateTarget checks the target and the fields only a swarm site uses.
func (s *Spec) validateTarget() error {
	switch s.Target {
	case TargetLocal:
		if s.Replicas > 1 || s.Registry != "" || s.SharedStorage != "" {
			return fmt.Errorf("--replicas, --registry and --shared-storage need a cluster: add --target swarm")
		}
		return nil
	case TargetSwarm:
	default:
		return fmt.Errorf("unknown target %q: use --target local (one Docker engine) or --target swarm (a swarm manager)", s.Target)
	}
	if s.Replicas < 1 || s.Replicas > MaxReplicas {
		return fmt.Errorf("invalid replicas %d: give between 1 and %d with --replicas", s.Replicas, MaxReplicas)
	}
	if s.Registry != "" && !registryRE.MatchString(s.Registry) {
		return fmt.Errorf("invalid registry %q: give HOST:PORT every node can pull from with --registry (e.g. registry.example:5000)", s.Registry)
	}
	if s.SharedStorage != "" && (!path.IsAbs(s.SharedStorage) || strings.ContainsAny(s.SharedStorage, ":,") || path.Clean(s.SharedStorage) == "/") {
		return fmt.Errorf("invalid shared storage %q: give an absolute path present on every node (an NFS or GlusterFS mount) with --shared-storage", s.SharedStorage)
	}
	if s.SharedStorage != "" {
		if err := CheckFolder("--shared-storage", s.SharedStorage); err != nil {
			return err
		}
	}
	if s.Bind != "" {
		return fmt.Errorf("--bind is not supported with --target swarm: the site's port is published on every node")
	}
	if s.DataDir != "" {
		return fmt.Errorf("--data-dir is not supported with --target swarm: the database lives in a volume on its pinned node, wp-content in --shared-storage")
	}
	return nil
}

// StackName is the swarm stack of the site (one site = one stack).
func (s *Spec) StackName() string { return s.Name }

// ServiceName is the swarm service name of one of the site's services.
func (s *Spec) ServiceName(service string) string { return s.Name + "_" + service }
