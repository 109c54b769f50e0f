package dockerbuild

import (
	"context"
	"testing"

	"github.com/docker/docker/api/types/image"
)

type fakeLister struct {
	Engine
	list []image.Summary
	opts image.ListOptions
}

func (f *fakeLister) ImageList(_ context.Context, o image.ListOptions) ([]image.Summary, error) {
	f.opts = o
	return f.list, nil
}

func TestFindByLabelsPrefersTheOriginal(t *testing.T) {
	tests := []struct {
		name   string
		list   []image.Summary
		wantID string
		wantOK bool
	}{
		{"none", nil, "", false},
		{"one", []image.Summary{{ID: "a", Created: 10}}, "a", true},
		// A user's FROM wpstack/web image inherits the labels and is newer.
		{"derived is newer", []image.Summary{{ID: "derived", Created: 20}, {ID: "ours", Created: 10}}, "ours", true},
		{"listed oldest first", []image.Summary{{ID: "ours", Created: 10}, {ID: "derived", Created: 30}}, "ours", true},
		{"same second", []image.Summary{{ID: "sha256:b", Created: 10}, {ID: "sha256:a", Created: 10}}, "sha256:a", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeLister{list: tt.list}
			img, ok, err := FindByLabels(context.Background(), f, map[string]string{"io.wpstack.role": "web"})
			if err != nil || ok != tt.wantOK || img.ID != tt.wantID {
				t.Fatalf("FindByLabels = %q, %v, %v; want %q, %v", img.ID, ok, err, tt.wantID, tt.wantOK)
			}
			if f.opts.All || f.opts.Filters.Get("label")[0] != "io.wpstack.role=web" {
				t.Errorf("list options = %+v", f.opts)
			}
		})
	}
}
