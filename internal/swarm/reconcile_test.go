package swarm

import (
	"context"
	"sort"
	"testing"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
)

// fakeManager holds a stack's services and records what reconcile does to
// them; any other Engine API call panics (nil embedded interface).
type fakeManager struct {
	client.APIClient
	services []swarm.Service
	calls    []string
}

func (f *fakeManager) ServiceList(context.Context, swarm.ServiceListOptions) ([]swarm.Service, error) {
	return f.services, nil
}

func (f *fakeManager) ServiceCreate(_ context.Context, s swarm.ServiceSpec, _ swarm.ServiceCreateOptions) (swarm.ServiceCreateResponse, error) {
	f.calls = append(f.calls, "create "+s.Name)
	return swarm.ServiceCreateResponse{}, nil
}

func (f *fakeManager) ServiceUpdate(_ context.Context, id string, _ swarm.Version, s swarm.ServiceSpec, _ swarm.ServiceUpdateOptions) (swarm.ServiceUpdateResponse, error) {
	f.calls = append(f.calls, "update "+s.Name)
	return swarm.ServiceUpdateResponse{}, nil
}

func (f *fakeManager) ServiceRemove(_ context.Context, id string) error {
	f.calls = append(f.calls, "remove "+id)
	return nil
}

func TestReconcileStack(t *testing.T) {
	specs := testSpecs(t)
	var list []swarm.ServiceSpec
	for _, s := range specs {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	running := func(changed string, extra ...string) []swarm.Service {
		var out []swarm.Service
		for _, s := range list {
			s.Labels = copyLabels(s.Labels)
			h, err := specHash(s)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name == changed {
				h = "older"
			}
			s.Labels[LabelSpecHash] = h
			out = append(out, swarm.Service{ID: s.Name, Spec: s})
		}
		for _, name := range extra {
			out = append(out, swarm.Service{ID: name, Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: name, Labels: map[string]string{LabelNamespace: "blog"}}}})
		}
		return out
	}
	tests := []struct {
		name    string
		running []swarm.Service
		only    []string
		want    []string
	}{
		{"new stack", nil, nil, []string{"create blog_cron", "create blog_db", "create blog_edge", "create blog_web"}},
		{"unchanged", running(""), nil, nil},
		{"web changed", running("blog_web"), nil, []string{"update blog_web"}},
		{"schedule turned off", running("", "blog_backup"), nil, []string{"remove blog_backup"}},
		// An upgrade moves the database alone: the changed web service and
		// a service the stack no longer has wait for the full deploy.
		{"only the database", running("blog_web", "blog_backup"), []string{"blog_db"}, nil},
		{"only the database, changed", running("blog_db", "blog_backup"), []string{"blog_db"}, []string{"update blog_db"}},
		{"only the database, new stack", nil, []string{"blog_db"}, []string{"create blog_db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeManager{services: tt.running}
			c := New(f)
			var in []swarm.ServiceSpec
			for _, s := range list {
				s.Labels = copyLabels(s.Labels)
				in = append(in, s)
			}
			if err := c.reconcile(context.Background(), "blog", in, DeployOptions{Only: tt.only}); err != nil {
				t.Fatal(err)
			}
			if len(f.calls) != len(tt.want) {
				t.Fatalf("calls %v, want %v", f.calls, tt.want)
			}
			for i := range f.calls {
				if f.calls[i] != tt.want[i] {
					t.Fatalf("calls %v, want %v", f.calls, tt.want)
				}
			}
		})
	}
}

func copyLabels(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
