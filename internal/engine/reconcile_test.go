package engine

import (
	"context"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

// fakeEngine answers the two calls reconcile makes from a fixed set of
// containers; any other call panics (the embedded interface is nil), so a
// reconcile that did more than observe would fail the test.
type fakeEngine struct {
	client.APIClient
	containers []container.Summary
}

func (f *fakeEngine) ContainerList(_ context.Context, opts container.ListOptions) ([]container.Summary, error) {
	var out []container.Summary
	want := opts.Filters.Get("label")
	for _, c := range f.containers {
		for _, l := range want {
			if l == site.LabelSite+"="+c.Labels[site.LabelSite] {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func (f *fakeEngine) ContainerInspect(_ context.Context, name string) (container.InspectResponse, error) {
	for _, c := range f.containers {
		if c.Names[0] == "/"+name {
			return container.InspectResponse{
				ContainerJSONBase: &container.ContainerJSONBase{State: &container.State{Running: c.State == container.StateRunning}},
				Config:            &container.Config{Labels: c.Labels},
			}, nil
		}
	}
	return container.InspectResponse{}, errdefs.ErrNotFound
}

func ctr(name, siteName, hash string, state container.ContainerState) container.Summary {
	labels := map[string]string{site.LabelConfig: hash}
	if siteName != "" {
		labels[site.LabelSite] = siteName
	}
	return container.Summary{Names: []string{"/" + name}, Labels: labels, State: state}
}

func TestReconcileObservesAndDiffs(t *testing.T) {
	s, w, d := testPlan(t, "w1")
	specs := []spec{d, w}
	run, exited := container.StateRunning, container.StateExited
	tests := []struct {
		name string
		have []container.Summary
		want []target.Action
	}{
		{"new site", nil, []target.Action{target.Create, target.Create}},
		{"unchanged and running", []container.Summary{ctr(d.Name, "blog", d.Hash, run), ctr(w.Name, "blog", w.Hash, run)},
			[]target.Action{target.Keep, target.Keep}},
		{"after a reboot with restart policy off", []container.Summary{ctr(d.Name, "blog", d.Hash, exited), ctr(w.Name, "blog", w.Hash, exited)},
			[]target.Action{target.Start, target.Start}},
		{"new web image", []container.Summary{ctr(d.Name, "blog", d.Hash, run), ctr(w.Name, "blog", "older", run)},
			[]target.Action{target.Keep, target.Recreate}},
		{"schedule turned off leaves an orphan", []container.Summary{ctr(d.Name, "blog", d.Hash, run), ctr(w.Name, "blog", w.Hash, run), ctr("blog-backup-1", "blog", "x", run)},
			[]target.Action{target.Remove, target.Keep, target.Keep}},
		{"web name held by a stranger", []container.Summary{ctr(d.Name, "blog", d.Hash, run), ctr(w.Name, "", "", run)},
			[]target.Action{target.Keep, target.Conflict}},
		{"another site's containers are not seen", []container.Summary{ctr("shop-web-1", "shop", "h", run)},
			[]target.Action{target.Create, target.Create}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Engine{cli: &fakeEngine{containers: tt.have}, reachHost: "127.0.0.1"}
			ops, err := e.reconcile(context.Background(), s, specs)
			if err != nil {
				t.Fatal(err)
			}
			var got []target.Action
			for _, op := range ops {
				got = append(got, op.Action)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ops = %+v, want actions %v", ops, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("ops = %+v, want actions %v", ops, tt.want)
					break
				}
			}
		})
	}
}
