package swarm

import (
	"context"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

func TestTargetCheck(t *testing.T) {
	tests := []struct {
		spec  site.Spec
		nodes int
		want  string // "" = accepted
	}{
		{site.Spec{Replicas: 3}, 1, ""},
		{site.Spec{Replicas: 1}, 3, "--registry"},
		{site.Spec{Replicas: 2, Registry: "r:5000"}, 3, "--shared-storage"},
		{site.Spec{Replicas: 1, Registry: "r:5000"}, 3, ""},
		{site.Spec{Replicas: 2, Registry: "r:5000", SharedStorage: "/mnt/s"}, 3, ""},
	}
	for i, tt := range tests {
		tg := &Target{info: Info{Nodes: tt.nodes}}
		err := tg.Check(context.Background(), tt.spec)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("case %d: %v, want %q", i, err, tt.want)
		}
	}
}
