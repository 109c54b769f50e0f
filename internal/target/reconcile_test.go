package target

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	web := Desired{"blog-web-1", "aaaa"}
	db := Desired{"blog-db-1", "bbbb"}
	tests := []struct {
		name     string
		desired  []Desired
		observed []Observed
		want     []Action
		names    []string
	}{
		{"nothing runs", []Desired{db, web}, nil, []Action{Create, Create}, []string{"blog-db-1", "blog-web-1"}},
		{"all up to date", []Desired{db, web},
			[]Observed{{"blog-web-1", "aaaa", true, true}, {"blog-db-1", "bbbb", true, true}},
			[]Action{Keep, Keep}, []string{"blog-db-1", "blog-web-1"}},
		{"web changed", []Desired{db, web},
			[]Observed{{"blog-db-1", "bbbb", true, true}, {"blog-web-1", "old", true, true}},
			[]Action{Keep, Recreate}, []string{"blog-db-1", "blog-web-1"}},
		{"stopped", []Desired{db, web},
			[]Observed{{"blog-db-1", "bbbb", true, false}, {"blog-web-1", "aaaa", true, false}},
			[]Action{Start, Start}, []string{"blog-db-1", "blog-web-1"}},
		{"changed and stopped re-creates", []Desired{web},
			[]Observed{{"blog-web-1", "old", true, false}},
			[]Action{Recreate}, []string{"blog-web-1"}},
		{"orphan removed first", []Desired{db, web},
			[]Observed{{"blog-db-1", "bbbb", true, true}, {"blog-backup-1", "cccc", true, true}, {"blog-web-1", "aaaa", true, true}},
			[]Action{Remove, Keep, Keep}, []string{"blog-backup-1", "blog-db-1", "blog-web-1"}},
		{"name taken by a stranger", []Desired{web},
			[]Observed{{"blog-web-1", "", false, true}},
			[]Action{Conflict}, []string{"blog-web-1"}},
		{"stranger not in the plan is left alone", []Desired{web},
			[]Observed{{"other", "", false, true}, {"blog-web-1", "aaaa", true, true}},
			[]Action{Keep}, []string{"blog-web-1"}},
		{"empty plan removes everything owned", nil,
			[]Observed{{"blog-web-1", "aaaa", true, true}, {"blog-db-1", "bbbb", true, false}},
			[]Action{Remove, Remove}, []string{"blog-web-1", "blog-db-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := Diff(tt.desired, tt.observed)
			var acts []Action
			var names []string
			for _, op := range ops {
				acts = append(acts, op.Action)
				names = append(names, op.Name)
				if op.Why == "" {
					t.Errorf("op %+v has no reason", op)
				}
			}
			if !reflect.DeepEqual(acts, tt.want) || !reflect.DeepEqual(names, tt.names) {
				t.Errorf("Diff = %v %v, want %v %v", acts, names, tt.want, tt.names)
			}
		})
	}
}

func TestReachHost(t *testing.T) {
	tests := []struct{ env, want string }{
		{"", "127.0.0.1"},
		{"unix:///var/run/docker.sock", "127.0.0.1"},
		{"tcp://10.0.0.5:2375", "10.0.0.5"},
		{"ssh://me@manager", "manager"},
	}
	for _, tt := range tests {
		if got := ReachHost(tt.env, "127.0.0.1"); got != tt.want {
			t.Errorf("ReachHost(%q) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestOverall(t *testing.T) {
	up := ServiceStatus{Running: 1, Desired: 1, Health: "healthy"}
	starting := ServiceStatus{Running: 1, Desired: 1, Health: "starting"}
	exited := ServiceStatus{Running: 0, Desired: 1, Health: "unhealthy"}
	gone := ServiceStatus{}
	noCheck := ServiceStatus{Running: 2, Desired: 2}
	updating := ServiceStatus{Running: 2, Desired: 2, UpdateState: "updating"}
	tests := []struct {
		in   []ServiceStatus
		want string
	}{
		{[]ServiceStatus{up, up}, Running},
		{[]ServiceStatus{up, starting}, Starting},
		{[]ServiceStatus{up, exited}, Degraded},
		{[]ServiceStatus{gone, gone}, Down},
		{nil, Down},
		{[]ServiceStatus{up, noCheck}, Running},
		{[]ServiceStatus{up, updating}, Starting},
	}
	for _, tt := range tests {
		if got := Overall(tt.in); got != tt.want {
			t.Errorf("Overall(%+v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
