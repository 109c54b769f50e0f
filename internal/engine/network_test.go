package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/subnet"
)

// fakeNetworks serves NetworkList/Inspect and records creates and removes.
type fakeNetworks struct {
	client.APIClient
	nets  []network.Inspect
	calls []string
}

func (f *fakeNetworks) NetworkList(context.Context, network.ListOptions) ([]network.Summary, error) {
	return f.nets, nil
}

func (f *fakeNetworks) NetworkInspect(_ context.Context, id string, _ network.InspectOptions) (network.Inspect, error) {
	for _, n := range f.nets {
		if n.ID == id {
			return n, nil
		}
	}
	return network.Inspect{}, nil
}

func (f *fakeNetworks) NetworkCreate(_ context.Context, name string, o network.CreateOptions) (network.CreateResponse, error) {
	f.calls = append(f.calls, "create "+name)
	n := network.Inspect{ID: name, Name: name, Labels: o.Labels}
	if o.IPAM != nil {
		n.IPAM = *o.IPAM
	}
	f.nets = append(f.nets, n)
	return network.CreateResponse{ID: name}, nil
}

func (f *fakeNetworks) NetworkRemove(_ context.Context, id string) error {
	f.calls = append(f.calls, "remove "+id)
	return nil
}

func TestEnsureNetwork(t *testing.T) {
	s := site.Spec{Name: "blog"}
	mine := map[string]string{site.LabelSite: "blog"}
	t0 := time.Unix(1000, 0)
	used := map[string]network.EndpointResource{"c1": {}}
	tests := []struct {
		name    string
		nets    []network.Inspect
		want    []string
		wantErr string
	}{
		{"missing", nil, []string{"create blog_default"}, ""},
		{"present", []network.Inspect{{ID: "a", Name: "blog_default", Labels: mine}}, nil, ""},
		{"a longer name is another network", []network.Inspect{{ID: "a", Name: "blog_default2", Labels: mine}}, []string{"create blog_default"}, ""},
		{"held by a stranger", []network.Inspect{{ID: "a", Name: "blog_default"}}, nil, "does not belong"},
		{"duplicate after a killed up: the used one stays", []network.Inspect{
			{ID: "a", Name: "blog_default", Labels: mine, Created: t0},
			{ID: "b", Name: "blog_default", Labels: mine, Created: t0.Add(time.Second), Containers: used},
		}, []string{"remove a"}, ""},
		{"duplicate, none used: the oldest stays", []network.Inspect{
			{ID: "a", Name: "blog_default", Labels: mine, Created: t0.Add(time.Second)},
			{ID: "b", Name: "blog_default", Labels: mine, Created: t0},
		}, []string{"remove a"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeNetworks{nets: tt.nets}
			e := &Engine{cli: f, reachHost: "127.0.0.1"}
			err := e.ensureNetwork(context.Background(), s, "blog_default", mine, false)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.calls, tt.want) {
				t.Errorf("calls %v, want %v", f.calls, tt.want)
			}
		})
	}
}

// Each network gets the next /27 of the range; the range full, the network
// past it is refused with the fix, and nothing is created for it.
func TestEnsureNetworkSubnets(t *testing.T) {
	t.Setenv(subnet.EnvRange, "10.214.0.0/26")
	f := &fakeNetworks{nets: []network.Inspect{{ID: "bridge", Name: "bridge", IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: "172.17.0.0/16"}}}}}}
	e := &Engine{cli: f, reachHost: "127.0.0.1"}
	var got []string
	for _, name := range []string{"a", "b"} {
		s := site.Spec{Name: name}
		if err := e.ensureNetwork(context.Background(), s, s.NetworkName(), map[string]string{site.LabelSite: name}, false); err != nil {
			t.Fatal(err)
		}
		got = append(got, f.nets[len(f.nets)-1].IPAM.Config[0].Subnet)
	}
	if want := []string{"10.214.0.0/27", "10.214.0.32/27"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("subnets = %v, want %v", got, want)
	}
	c := site.Spec{Name: "c"}
	if err := e.checkSubnets(context.Background(), c); err == nil || !strings.Contains(err.Error(), "no free /27 subnet left in wpstack's range 10.214.0.0/26 (it holds 2 networks") || !strings.Contains(err.Error(), subnet.EnvRange) {
		t.Fatalf("checkSubnets of a third site: err = %v, want the range's exhaustion", err)
	}
	err := e.ensureNetwork(context.Background(), c, c.NetworkName(), map[string]string{site.LabelSite: "c"}, false)
	if !subnet.IsExhausted(err) {
		t.Fatalf("third network: err = %v, want the range's exhaustion", err)
	}
	if len(f.calls) != 2 {
		t.Fatalf("calls = %v, want the two creates only", f.calls)
	}
}
