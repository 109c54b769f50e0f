package swarm

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/contract"
)

func TestDataJobSpec(t *testing.T) {
	db := func(secret string) swarm.ServiceSpec {
		return swarm.ServiceSpec{Annotations: swarm.Annotations{Labels: map[string]string{"io.wpstack.site": "blog"}},
			TaskTemplate: swarm.TaskSpec{
				ContainerSpec: &swarm.ContainerSpec{Image: "reg:5000/wpstack/db:abc@sha256:1",
					Secrets: []*swarm.SecretReference{{SecretID: "s1", SecretName: "blog_" + secret, File: &swarm.SecretReferenceFileTarget{Name: secret}}}},
				Networks: []swarm.NetworkAttachmentConfig{{Target: "blog_default", Aliases: []string{"db"}}}}}
	}
	web := func(target string) swarm.ServiceSpec {
		return swarm.ServiceSpec{TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
			Mounts: []mount.Mount{{Type: mount.TypeVolume, Target: contract.Webroot}, {Type: mount.TypeBind, Source: "/mnt/shared/blog", Target: target}}}}}
	}
	for _, tc := range []struct {
		name    string
		write   bool
		db, web swarm.ServiceSpec
		err     string
	}{
		{name: "backup reads only", db: db(contract.SecretDB), web: web(contract.ContentDir)},
		{name: "restore writes", write: true, db: db(contract.SecretDB), web: web(contract.ContentDir)},
		{name: "no wp-content mount", db: db(contract.SecretDB), web: web("/elsewhere"), err: "mounts nothing at"},
		{name: "no password secret", db: db("db_root_password"), web: web(contract.ContentDir), err: "has no db_password secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := dataJobSpec(DataJobOptions{Stack: "blog", Write: tc.write, Lifetime: 3600e9}, "node1", tc.db, tc.web)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cs := spec.TaskTemplate.ContainerSpec
			if spec.Name != "blog_wpstack-job" || cs.Image != tc.db.TaskTemplate.ContainerSpec.Image || cs.User != "33:33" || !cs.ReadOnly {
				t.Errorf("job: name %s image %s user %s read-only %v", spec.Name, cs.Image, cs.User, cs.ReadOnly)
			}
			if got := spec.TaskTemplate.Placement.Constraints; len(got) != 1 || got[0] != "node.id == node1" {
				t.Errorf("placement %v, want pinned to the manager", got)
			}
			if len(cs.Mounts) != 2 || cs.Mounts[0].Target != contract.ContentDir || cs.Mounts[0].ReadOnly == tc.write {
				t.Errorf("mounts %+v: wp-content read-only must be %v", cs.Mounts, !tc.write)
			}
			if len(cs.Secrets) != 1 || cs.Secrets[0].SecretID != "s1" || cs.Secrets[0].File.UID != "33" || cs.Secrets[0].File.Mode != 0o400 {
				t.Errorf("secrets %+v", cs.Secrets)
			}
			if cs.Healthcheck == nil || cs.Healthcheck.Test[0] != "NONE" {
				t.Errorf("the job must run no health check: %+v", cs.Healthcheck)
			}
			if spec.Labels[LabelNamespace] != "blog" || spec.Labels["io.wpstack.site"] != "blog" {
				t.Errorf("labels %v", spec.Labels)
			}
			if len(spec.TaskTemplate.Networks) != 1 || spec.TaskTemplate.Networks[0].Target != "blog_default" {
				t.Errorf("networks %+v", spec.TaskTemplate.Networks)
			}
		})
	}
}

func TestJobResult(t *testing.T) {
	task := func(state swarm.TaskState, msg, err string) swarm.Task {
		return swarm.Task{Status: swarm.TaskStatus{State: state, Message: msg, Err: err}}
	}
	tests := []struct {
		name    string
		tasks   []swarm.Task
		done    bool
		wantErr string
	}{
		{"no task yet", nil, false, ""},
		{"still running", []swarm.Task{task(swarm.TaskStateRunning, "started", "")}, false, ""},
		{"completed", []swarm.Task{task(swarm.TaskStateComplete, "finished", "")}, true, ""},
		{"failed", []swarm.Task{task(swarm.TaskStateFailed, "started", "task: non-zero exit (1)")}, true, "non-zero exit (1)"},
		{"rejected without error text", []swarm.Task{task(swarm.TaskStateRejected, "no suitable node", "")}, true, "no suitable node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done, err := jobResult(tt.tasks)
			if done != tt.done {
				t.Fatalf("done %v, want %v", done, tt.done)
			}
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
