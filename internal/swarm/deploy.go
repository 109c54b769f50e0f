package swarm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/versions"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/target"
)

// LabelSpecHash marks a service with the hash of the spec wpstack gave it,
// so an unchanged service is left alone (and its previous spec, the one
// `rollback` returns to, is kept).
const LabelSpecHash = contract.LabelSpecHash

// MinAPINoNewPrivileges is the first Engine API version whose swarm
// container spec carries Privileges.NoNewPrivileges (Docker 25.0). ReadOnly
// came with 1.28 and CapabilityAdd/Drop with 1.41.
const MinAPINoNewPrivileges = "1.44"

// DeployOptions tune Deploy.
type DeployOptions struct {
	// QueryRegistry pins each image to its digest in the registry, so all
	// nodes run the same image.
	QueryRegistry bool
	// Only, when set, names the stack's services (full names) to create or
	// update; the others are left as they run, none is removed. An upgrade
	// moves the database first, alone, before the web tasks that use it.
	Only []string
}

// Deploy creates or updates the stack's network, secrets and services,
// like `docker stack deploy`. It returns without waiting for tasks.
func (c *Cluster) Deploy(ctx context.Context, p *types.Project, opts DeployOptions) error {
	for _, key := range sortedKeys(p.Networks) {
		if err := c.ensureNetwork(ctx, p.Name, p.Networks[key]); err != nil {
			return err
		}
	}
	ids := map[string]string{}
	for _, key := range sortedKeys(p.Secrets) {
		id, err := c.ensureSecret(ctx, p.Name, p.Secrets[key])
		if err != nil {
			return err
		}
		ids[key] = id
	}
	specs, err := ServiceSpecs(p, ids)
	if err != nil {
		return err
	}
	if v := c.cli.ClientVersion(); versions.LessThan(v, MinAPINoNewPrivileges) {
		events.Emit(ctx, "stack "+p.Name, events.Info, fmt.Sprintf("engine API %s: swarm tasks run without no-new-privileges (it needs API %s, Docker Engine 25.0); read-only root and capabilities apply", v, MinAPINoNewPrivileges))
	}
	return c.reconcile(ctx, p.Name, specs, opts)
}

// reconcile diffs the stack's services with the specs and applies the
// result: creates, updates (a rolling update where the spec changed),
// leaves alone, and removes the services the stack no longer has.
func (c *Cluster) reconcile(ctx context.Context, stack string, specs []swarm.ServiceSpec, opts DeployOptions) error {
	running, err := c.stackServices(ctx, stack)
	if err != nil {
		return err
	}
	current := map[string]swarm.Service{}
	var observed []target.Observed
	for _, s := range running {
		current[s.Spec.Name] = s
		observed = append(observed, target.Observed{Name: s.Spec.Name, Hash: s.Spec.Labels[LabelSpecHash], Owned: true, Running: true})
	}
	desired := make([]target.Desired, 0, len(specs))
	byName := map[string]swarm.ServiceSpec{}
	for _, spec := range specs {
		hash, err := specHash(spec)
		if err != nil {
			return err
		}
		spec.Labels[LabelSpecHash] = hash
		byName[spec.Name] = spec
		desired = append(desired, target.Desired{Name: spec.Name, Hash: hash})
	}
	for _, op := range target.Diff(desired, observed) {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, op.Name) {
			continue
		}
		res := "service " + op.Name
		switch op.Action {
		case target.Keep, target.Start:
			events.Emit(ctx, res, events.Skipped, "up to date")
		case target.Remove:
			events.Emit(ctx, res, events.Working, "removing: "+op.Why)
			if err := c.cli.ServiceRemove(ctx, current[op.Name].ID); err != nil && !isNotFound(err) {
				return fmt.Errorf("remove service %s: %w", op.Name, err)
			}
			events.Emit(ctx, res, events.Done, "removed")
		case target.Create:
			events.Emit(ctx, res, events.Working, "creating")
			resp, err := c.cli.ServiceCreate(ctx, byName[op.Name], swarm.ServiceCreateOptions{EncodedRegistryAuth: emptyAuth, QueryRegistry: opts.QueryRegistry})
			if err != nil {
				return fmt.Errorf("create service %s: %w", op.Name, err)
			}
			warn(ctx, res, resp.Warnings)
		case target.Recreate:
			cur := current[op.Name]
			events.Emit(ctx, res, events.Working, "updating")
			resp, err := c.cli.ServiceUpdate(ctx, cur.ID, cur.Version, byName[op.Name], swarm.ServiceUpdateOptions{EncodedRegistryAuth: emptyAuth, QueryRegistry: opts.QueryRegistry})
			if err != nil {
				return fmt.Errorf("update service %s: %w", op.Name, err)
			}
			warn(ctx, res, resp.Warnings)
		case target.Conflict:
			return fmt.Errorf("service %s exists and is not part of stack %s: remove it or choose another site name", op.Name, stack)
		}
	}
	return nil
}

func (c *Cluster) ensureNetwork(ctx context.Context, stack string, n types.NetworkConfig) error {
	list, err := c.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", n.Name))})
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	for _, got := range list {
		if got.Name == n.Name {
			if got.Driver != "overlay" || got.Scope != "swarm" {
				return fmt.Errorf("network %s exists with driver %s (scope %s), not a swarm overlay: remove it or choose another site name", n.Name, got.Driver, got.Scope)
			}
			return nil
		}
	}
	events.Emit(ctx, "network "+n.Name, events.Working, "creating overlay network")
	_, err = c.cli.NetworkCreate(ctx, n.Name, network.CreateOptions{Driver: "overlay", Labels: withNamespace(n.Labels, stack)})
	if err != nil {
		return fmt.Errorf("create overlay network %s: %w", n.Name, err)
	}
	events.Emit(ctx, "network "+n.Name, events.Done, "created")
	return nil
}

// ensureSecret returns the ID of the swarm secret, creating it from its
// file when missing. Swarm secrets cannot change: a site's never do.
func (c *Cluster) ensureSecret(ctx context.Context, stack string, s types.SecretConfig) (string, error) {
	list, err := c.cli.SecretList(ctx, swarm.SecretListOptions{Filters: filters.NewArgs(filters.Arg("name", s.Name))})
	if err != nil {
		return "", fmt.Errorf("list secrets: %w", err)
	}
	for _, got := range list {
		if got.Spec.Name == s.Name {
			return got.ID, nil
		}
	}
	data, err := os.ReadFile(s.File)
	if err != nil {
		return "", fmt.Errorf("read secret %s: %w", s.Name, err)
	}
	resp, err := c.cli.SecretCreate(ctx, swarm.SecretSpec{
		Annotations: swarm.Annotations{Name: s.Name, Labels: withNamespace(s.Labels, stack)},
		Data:        data,
	})
	if err != nil {
		return "", fmt.Errorf("create secret %s: %w", s.Name, err)
	}
	events.Emit(ctx, "secret "+s.Name, events.Done, "created")
	return resp.ID, nil
}

func warn(ctx context.Context, res string, warnings []string) {
	for _, w := range warnings {
		events.Emit(ctx, res, events.Info, w)
	}
}

// service finds a service by its exact name (the API filter matches prefixes).
func (c *Cluster) service(ctx context.Context, name string) (swarm.Service, bool, error) {
	list, err := c.cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return swarm.Service{}, false, fmt.Errorf("list services: %w", err)
	}
	for _, s := range list {
		if s.Spec.Name == name {
			return s, true, nil
		}
	}
	return swarm.Service{}, false, nil
}

func specHash(spec swarm.ServiceSpec) (string, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return "", fmt.Errorf("hash service spec %s: %w", spec.Name, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12]), nil
}
