package subnet

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

func pfx(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, v := range s {
		out = append(out, netip.MustParsePrefix(v))
	}
	return out
}

func TestNext(t *testing.T) {
	tests := []struct {
		name    string
		rng     string
		used    []netip.Prefix
		want    string
		wantErr string
	}{
		{"empty engine: the first", "10.213.0.0/16", nil, "10.213.0.0/27", ""},
		{"Docker's own pools do not matter", "10.213.0.0/16", pfx("172.17.0.0/16", "192.168.0.0/20"), "10.213.0.0/27", ""},
		{"the next after ours", "10.213.0.0/16", pfx("10.213.0.0/27", "10.213.0.32/27"), "10.213.0.64/27", ""},
		{"a hole is reused", "10.213.0.0/16", pfx("10.213.0.0/27", "10.213.0.64/27"), "10.213.0.32/27", ""},
		{"a foreign /24 inside the range is skipped", "10.213.0.0/16", pfx("10.213.0.0/24"), "10.213.1.0/27", ""},
		{"a foreign /8 over the range exhausts it", "10.213.0.0/16", pfx("10.0.0.0/8"), "", "no free /27 subnet left in wpstack's range 10.213.0.0/16 (it holds 2048 networks"},
		{"a foreign small net in the middle of a /27", "10.213.0.0/16", pfx("10.213.0.40/29"), "10.213.0.0/27", ""},
		{"a foreign small net in the first /27", "10.213.0.0/16", pfx("10.213.0.8/29"), "10.213.0.32/27", ""},
		{"an unaligned range is masked", "10.213.0.7/26", nil, "10.213.0.0/27", ""},
		{"a /26 holds two", "10.214.0.0/26", pfx("10.214.0.0/27"), "10.214.0.32/27", ""},
		{"a /26 with two taken is exhausted", "10.214.0.0/26", pfx("10.214.0.0/27", "10.214.0.32/27"), "", "range 10.214.0.0/26 (it holds 2 networks"},
		{"the range itself a /27", "10.214.0.0/27", nil, "10.214.0.0/27", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Next(netip.MustParsePrefix(tt.rng), Bits, tt.used)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), EnvRange) || !IsExhausted(err) {
					t.Fatalf("err = %v, want %q naming %s", err, tt.wantErr, EnvRange)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("Next = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"", DefaultRange, ""},
		{" 10.9.0.0/20 ", "10.9.0.0/20", ""},
		{"10.9.1.1/20", "10.9.0.0/20", ""},
		{"10.9.0.0/28", "", "smaller than one network"},
		{"fd00::/64", "", "not an IPv4 range"},
		{"ten", "", "not an IPv4 range"},
	}
	for _, tt := range tests {
		got, err := ParseRange(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRange(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseRange(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// fakeEngine holds networks and refuses overlapping subnets as the engine
// does; race adds a network from "another process" before the first create.
// With hidden, that network holds its subnet but is not listed yet, as on
// the engine while a concurrent create is still in flight.
type fakeEngine struct {
	client.NetworkAPIClient
	nets    []network.Summary
	race    []string
	hidden  bool
	held    []network.Summary
	creates int
}

func (f *fakeEngine) NetworkList(context.Context, network.ListOptions) ([]network.Summary, error) {
	return f.nets, nil
}

func (f *fakeEngine) NetworkCreate(_ context.Context, name string, o network.CreateOptions) (network.CreateResponse, error) {
	f.creates++
	for len(f.race) > 0 {
		if f.hidden {
			f.held = append(f.held, summary("other", f.race[0]))
		} else {
			f.nets = append(f.nets, summary("other", f.race[0]))
		}
		f.race = f.race[1:]
	}
	want := netip.MustParsePrefix(o.IPAM.Config[0].Subnet)
	for _, n := range append(f.nets, f.held...) {
		for _, c := range n.IPAM.Config {
			if netip.MustParsePrefix(c.Subnet).Overlaps(want) {
				return network.CreateResponse{}, errors.New("Error response from daemon: Pool overlaps with other one on this address space")
			}
		}
	}
	f.nets = append(f.nets, summary(name, want.String()))
	return network.CreateResponse{ID: name}, nil
}

func summary(name, sub string) network.Summary {
	return network.Summary{Name: name, IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: sub}}}}
}

func TestCreate(t *testing.T) {
	t.Setenv(EnvRange, "10.214.0.0/26")
	tests := []struct {
		name     string
		nets     []network.Summary
		race     []string
		hidden   bool
		want     string
		wantErr  string
		nCreates int
	}{
		{"first free", []network.Summary{summary("bridge", "172.17.0.0/16")}, nil, false, "10.214.0.0/27", "", 1},
		{"a concurrent create took it: the next one", nil, []string{"10.214.0.0/27"}, false, "10.214.0.32/27", "", 2},
		{"a concurrent create in flight, not listed yet: the next one", nil, []string{"10.214.0.0/27"}, true, "10.214.0.32/27", "", 2},
		{"a concurrent create took the last: exhausted", []network.Summary{summary("a", "10.214.0.0/27")}, []string{"10.214.0.32/27"}, true, "", "no free /27 subnet left in wpstack's range 10.214.0.0/26", 1},
		{"full: nothing is created", []network.Summary{summary("a", "10.214.0.0/27"), summary("b", "10.214.0.32/27")}, nil, false, "", "set WPSTACK_SUBNET_RANGE to a larger free range", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeEngine{nets: tt.nets, race: tt.race, hidden: tt.hidden}
			_, err := Create(context.Background(), f, "blog_default", network.CreateOptions{Driver: "bridge"})
			if f.creates != tt.nCreates {
				t.Errorf("creates = %d, want %d", f.creates, tt.nCreates)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			last := f.nets[len(f.nets)-1]
			if last.Name != "blog_default" || last.IPAM.Config[0].Subnet != tt.want {
				t.Fatalf("created %s on %s, want blog_default on %s", last.Name, last.IPAM.Config[0].Subnet, tt.want)
			}
		})
	}
}

func TestFree(t *testing.T) {
	t.Setenv(EnvRange, "10.214.0.0/26")
	f := &fakeEngine{nets: []network.Summary{summary("a", "10.214.0.0/27")}}
	if err := Free(context.Background(), f, 1); err != nil {
		t.Fatalf("room for one: %v", err)
	}
	if err := Free(context.Background(), f, 2); err == nil || !IsExhausted(err) {
		t.Fatalf("room for one, asked two: err = %v", err)
	}
}
