package composeapi

import (
	"reflect"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/mount"
)

func TestHealthcheck(t *testing.T) {
	five, three := types.Duration(5*time.Second), uint64(3)
	tests := []struct {
		name string
		in   *types.HealthCheckConfig
		want []string
	}{
		{"none", nil, nil},
		{"disabled", &types.HealthCheckConfig{Disable: true, Test: []string{"CMD", "x"}}, []string{"NONE"}},
		{"set", &types.HealthCheckConfig{Test: []string{"CMD", "x"}, Interval: &five, Retries: &three}, []string{"CMD", "x"}},
	}
	for _, tt := range tests {
		got := Healthcheck(tt.in)
		if tt.want == nil {
			if got != nil {
				t.Errorf("%s: %+v, want nil", tt.name, got)
			}
			continue
		}
		if !reflect.DeepEqual([]string(got.Test), tt.want) {
			t.Errorf("%s: test %v, want %v", tt.name, got.Test, tt.want)
		}
		if tt.name == "set" && (got.Interval != 5*time.Second || got.Retries != 3) {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
}

func TestEnvAndMount(t *testing.T) {
	a, b := "1", "2"
	if got := Env(types.MappingWithEquals{"B": &b, "A": &a, "UNSET": nil}); !reflect.DeepEqual(got, []string{"A=1", "B=2"}) {
		t.Errorf("Env = %v", got)
	}
	p := &types.Project{Volumes: types.Volumes{"db": {Name: "blog_db"}}}
	tests := []struct {
		in      types.ServiceVolumeConfig
		want    mount.Mount
		wantErr bool
	}{
		{types.ServiceVolumeConfig{Type: "volume", Source: "db", Target: "/var/lib/mysql"}, mount.Mount{Type: mount.TypeVolume, Source: "blog_db", Target: "/var/lib/mysql"}, false},
		{types.ServiceVolumeConfig{Type: "bind", Source: "/srv/x", Target: "/x", ReadOnly: true}, mount.Mount{Type: mount.TypeBind, Source: "/srv/x", Target: "/x", ReadOnly: true}, false},
		{types.ServiceVolumeConfig{Type: "volume", Source: "nope", Target: "/x"}, mount.Mount{}, true},
		{types.ServiceVolumeConfig{Type: "npipe", Source: "x", Target: "/x"}, mount.Mount{}, true},
	}
	for _, tt := range tests {
		got, err := Mount(p, "web", tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("Mount(%+v) = %+v, %v", tt.in, got, err)
		}
	}
}
