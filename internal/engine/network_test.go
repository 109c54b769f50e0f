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

func (f *fakeNetworks) NetworkCreate(_ context.Context, name string, _ network.CreateOptions) (network.CreateResponse, error) {
	f.calls = append(f.calls, "create "+name)
	return network.CreateResponse{}, nil
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
