package subnet

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// maxRaces bounds the retries when another wpstack takes the chosen subnet
// between the listing and the create.
const maxRaces = 20

// InUse lists the subnets of every network on the engine.
func InUse(ctx context.Context, cli client.NetworkAPIClient) ([]netip.Prefix, error) {
	list, err := cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list the engine's networks: %w", err)
	}
	var used []netip.Prefix
	for _, n := range list {
		for _, c := range n.IPAM.Config {
			if p, err := netip.ParsePrefix(c.Subnet); err == nil {
				used = append(used, p.Masked())
			}
		}
	}
	return used, nil
}

// Free says whether the range has room for n more networks, before anything
// is made: an error naming the range and the fix if it has not.
func Free(ctx context.Context, cli client.NetworkAPIClient, n int) error {
	rng, err := ParseRange(os.Getenv(EnvRange))
	if err != nil || n == 0 {
		return err
	}
	used, err := InUse(ctx, cli)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		p, err := Next(rng, Bits, used)
		if err != nil {
			return err
		}
		used = append(used, p)
	}
	return nil
}

// Create creates a bridge network on the first free subnet of the range
// (EnvRange, else DefaultRange). When a concurrent create took that subnet
// first, the engine refuses with an overlap: list again and take the next.
// The engine holds a subnet before its network shows in the list, so a
// refused subnet counts as used for the rest of this call.
func Create(ctx context.Context, cli client.NetworkAPIClient, name string, opts network.CreateOptions) (network.CreateResponse, error) {
	rng, err := ParseRange(os.Getenv(EnvRange))
	if err != nil {
		return network.CreateResponse{}, err
	}
	var refused []netip.Prefix
	for try := 0; ; try++ {
		used, err := InUse(ctx, cli)
		if err != nil {
			return network.CreateResponse{}, err
		}
		p, err := Next(rng, Bits, append(used, refused...))
		if err != nil {
			return network.CreateResponse{}, err
		}
		opts.IPAM = &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: p.String()}}}
		resp, err := cli.NetworkCreate(ctx, name, opts)
		if err == nil {
			return resp, nil
		}
		if !IsOverlap(err) || try >= maxRaces {
			return resp, fmt.Errorf("subnet %s: %w", p, err)
		}
		refused = append(refused, p)
	}
}

// IsOverlap says whether the engine refused a subnet another network holds.
func IsOverlap(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Pool overlaps with other one on this address space")
}

// IsExhausted says whether err is the range running out.
func IsExhausted(err error) bool {
	var e *ExhaustedError
	return errors.As(err, &e)
}
