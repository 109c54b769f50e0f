package swarm

import (
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

const bindErr = `invalid mount config for type "bind": bind source path does not exist: /mnt/shared/blog`

func task(node string, state swarm.TaskState, err string, age time.Duration, now time.Time) swarm.Task {
	t := swarm.Task{NodeID: node, Status: swarm.TaskStatus{State: state, Err: err}}
	t.Meta.CreatedAt = now.Add(-age)
	return t
}

func TestProblems(t *testing.T) {
	now := time.Now()
	since := now.Add(-time.Minute)
	names := map[string]string{"n1": "node-1", "n2": "node-2", "n3": "node-3"}
	pinned := swarm.Service{Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "blog_db"},
		TaskTemplate: swarm.TaskSpec{Placement: &swarm.Placement{Constraints: []string{"node.labels.io.wpstack.db.blog == true"}}}}}
	web := swarm.Service{Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "blog_web"}}}
	for _, tt := range []struct {
		name      string
		svc       swarm.Service
		tasks     []swarm.Task
		labels    map[string]bool
		want      int    // problems reported
		permanent bool   // one of them cannot clear
		wantIn    string // in the first problem's text
	}{
		{name: "all running", svc: web, tasks: []swarm.Task{
			task("n1", swarm.TaskStateRunning, "", 3*time.Second, now),
			task("n2", swarm.TaskStateRunning, "", 2*time.Second, now)}},
		{name: "bind source missing, retried three times", svc: web, tasks: []swarm.Task{
			task("n1", swarm.TaskStateRejected, bindErr, 3*time.Second, now),
			task("n2", swarm.TaskStateRejected, bindErr, 2*time.Second, now),
			task("n3", swarm.TaskStateRejected, bindErr, 1*time.Second, now)},
			want: 3, permanent: true, wantIn: "create /mnt/shared/blog on that node"},
		{name: "bind source missing once: may still be a race", svc: web, tasks: []swarm.Task{
			task("n1", swarm.TaskStateRejected, bindErr, 2*time.Second, now),
			task("n2", swarm.TaskStateRunning, "", 1*time.Second, now)},
			want: 1, wantIn: "node-1"},
		{name: "one node missing the folder, the others ran in between", svc: web, tasks: []swarm.Task{
			task("n1", swarm.TaskStateRejected, bindErr, 4*time.Second, now),
			task("n1", swarm.TaskStateRejected, bindErr, 3*time.Second, now),
			task("n2", swarm.TaskStateRunning, "", 2*time.Second, now),
			task("n1", swarm.TaskStateRejected, bindErr, 1*time.Second, now)},
			want: 1, wantIn: "node-1"},
		{name: "old failures before the wait are ignored", svc: web, tasks: []swarm.Task{
			task("n1", swarm.TaskStateRejected, bindErr, 3*time.Hour, now),
			task("n1", swarm.TaskStateRejected, bindErr, 2*time.Hour, now),
			task("n1", swarm.TaskStateRejected, bindErr, time.Hour, now)}},
		{name: "crash loop is not classified as permanent", svc: web, tasks: []swarm.Task{
			task("n1", swarm.TaskStateFailed, "task: non-zero exit (1)", 3*time.Second, now),
			task("n1", swarm.TaskStateFailed, "task: non-zero exit (1)", 2*time.Second, now),
			task("n1", swarm.TaskStateFailed, "task: non-zero exit (1)", 1*time.Second, now)},
			want: 1, wantIn: "docker service ps"},
		{name: "image missing on the nodes", svc: web, tasks: []swarm.Task{
			task("n2", swarm.TaskStateRejected, "No such image: wpstack/web:1", 3*time.Second, now),
			task("n3", swarm.TaskStateRejected, "No such image: wpstack/web:1", 2*time.Second, now),
			task("n2", swarm.TaskStateRejected, "No such image: wpstack/web:1", 1*time.Second, now)},
			want: 2, permanent: true, wantIn: "--registry"},
		{name: "no suitable node, pin label missing", svc: pinned, labels: map[string]bool{}, tasks: []swarm.Task{
			task("", swarm.TaskStatePending, "no suitable node (scheduling constraints not satisfied on 3 nodes)", time.Second, now)},
			want: 1, permanent: true, wantIn: "docker node update --label-add io.wpstack.db.blog=true"},
		{name: "no suitable node, label present: a node may come back", svc: pinned,
			labels: map[string]bool{"io.wpstack.db.blog": true}, tasks: []swarm.Task{
				task("", swarm.TaskStatePending, "no suitable node (1 node not available for new tasks)", time.Second, now)},
			want: 1, wantIn: "docker node ls"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(tt.svc, tt.tasks, since, names, tt.labels)
			if len(got) != tt.want {
				t.Fatalf("problems = %d %v, want %d", len(got), got, tt.want)
			}
			perm := false
			for _, p := range got {
				perm = perm || p.Permanent
			}
			if perm != tt.permanent {
				t.Errorf("permanent = %v, want %v: %v", perm, tt.permanent, got)
			}
			if tt.wantIn != "" && !strings.Contains(got[0].String(), tt.wantIn) {
				t.Errorf("%q does not say %q", got[0].String(), tt.wantIn)
			}
		})
	}
}

func TestPermanentNamesNodes(t *testing.T) {
	probs := []TaskProblem{
		{Service: "blog_web", Node: "node-1", State: swarm.TaskStateRejected, Err: bindErr, Fix: "fix: create it", Permanent: true},
		{Service: "blog_web", Node: "node-2", State: swarm.TaskStateRejected, Err: bindErr, Fix: "fix: create it", Permanent: true},
		{Service: "blog_web", Node: "node-3", State: swarm.TaskStateFailed, Err: "task: non-zero exit (1)"},
	}
	got := permanent(probs)
	if len(got) != 1 || !strings.Contains(got[0], "on node node-1, node-2") || strings.Contains(got[0], "node-3") {
		t.Fatalf("permanent = %q, want one entry naming node-1 and node-2", got)
	}
}

func TestProbeResults(t *testing.T) {
	now := time.Now()
	nodes := map[string]string{"n1": "node-1", "n2": "node-2", "n3": "node-3"}
	for _, tt := range []struct {
		name    string
		tasks   []swarm.Task
		missing string
		done    bool
	}{
		{name: "not all answered", tasks: []swarm.Task{task("n1", swarm.TaskStateComplete, "", 0, now)}},
		{name: "present everywhere", done: true, tasks: []swarm.Task{
			task("n1", swarm.TaskStateComplete, "", 0, now), task("n2", swarm.TaskStateComplete, "", 0, now),
			task("n3", swarm.TaskStateComplete, "", 0, now)}},
		{name: "missing on two", done: true, missing: "node-2,node-3", tasks: []swarm.Task{
			task("n1", swarm.TaskStateComplete, "", 0, now),
			task("n3", swarm.TaskStateRejected, bindErr, 0, now),
			task("n2", swarm.TaskStateFailed, "task: non-zero exit (1)", 0, now)}},
		{name: "a task on a node that left does not count", tasks: []swarm.Task{
			task("gone", swarm.TaskStateRejected, bindErr, 0, now),
			task("n1", swarm.TaskStateComplete, "", 0, now)}},
	} {
		missing, other, done := probeResults(tt.tasks, nodes)
		if strings.Join(missing, ",") != tt.missing || done != tt.done || len(other) != 0 {
			t.Errorf("%s: missing %v other %v done %v; want %q, %v", tt.name, missing, other, done, tt.missing, tt.done)
		}
	}
	err := probeError("/mnt/shared/x", []string{"node-2", "node-3"}, nil)
	if !strings.Contains(err.Error(), "/mnt/shared/x is missing") || !strings.Contains(err.Error(), "node-2, node-3") || !strings.Contains(err.Error(), "nothing was deployed") {
		t.Errorf("probe error %q does not name the folder, the nodes and the outcome", err)
	}
}
