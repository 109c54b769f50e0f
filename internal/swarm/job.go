package swarm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// DataJobOptions say which stack's data the job reaches and how.
type DataJobOptions struct {
	Stack string
	// Write mounts wp-content read-write (a restore); a backup reads only.
	Write bool
	// Lifetime bounds the job: it ends by itself after it, so a killed
	// wpstack leaves nothing running for long (default 6h).
	Lifetime time.Duration
	Timeout  time.Duration // to wait for the task to run (default 2m)
}

// DataJob is a running one-off task on the manager this client talks to,
// on the stack's network, with the stack's wp-content mounted and the
// database's password as a secret. The manager's Engine API can exec into
// it, which it cannot do into the site's own tasks on other nodes: the
// archive travels over the Engine API's exec and archive streams, the one
// channel wpstack already trusts for local sites, and the database is read
// over the stack's own network, as the web tasks read it.
type DataJob struct {
	ServiceID string
	Container string // its container on the manager
	DBHost    string // the database's name on the stack's network
	DBSecret  string // the password file inside the job
	Content   string // wp-content inside the job
	User      string
}

// jobUser owns wp-content in every image (www-data).
const jobUser = "33:33"

// JobServiceName is the data job's service name in a stack.
func JobServiceName(stack string) string { return ServiceName(stack, "wpstack-job") }

// StartDataJob starts the stack's data job and waits until its container
// runs on this manager. The caller removes it with RemoveDataJob.
func (c *Cluster) StartDataJob(ctx context.Context, opts DataJobOptions) (DataJob, error) {
	if opts.Lifetime == 0 {
		opts.Lifetime = 6 * time.Hour
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Minute
	}
	info, err := c.Info(ctx)
	if err != nil {
		return DataJob{}, err
	}
	db, ok, err := c.service(ctx, ServiceName(opts.Stack, site.ServiceDB))
	if err != nil {
		return DataJob{}, err
	}
	web, okWeb, err := c.service(ctx, ServiceName(opts.Stack, site.ServiceWeb))
	if err != nil {
		return DataJob{}, err
	}
	if !ok || !okWeb {
		return DataJob{}, fmt.Errorf("stack %s has no %s or %s service: bring the site up first (`wpstack up`)", opts.Stack, site.ServiceDB, site.ServiceWeb)
	}
	spec, err := dataJobSpec(opts, info.NodeID, db.Spec, web.Spec)
	if err != nil {
		return DataJob{}, err
	}
	name := spec.Name
	if old, ok, err := c.service(ctx, name); err != nil {
		return DataJob{}, err
	} else if ok {
		// Left by an interrupted run: the site's lock is held, so no
		// other command uses it.
		if err := c.cli.ServiceRemove(ctx, old.ID); err != nil && !isNotFound(err) {
			return DataJob{}, fmt.Errorf("remove old data job %s: %w", name, err)
		}
		if err := c.waitTasksGone(ctx, []swarm.Service{old}, time.Minute); err != nil {
			return DataJob{}, err
		}
	}
	events.Emit(ctx, "service "+name, events.Working, "starting a data job on this manager")
	resp, err := c.cli.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{EncodedRegistryAuth: emptyAuth})
	if err != nil {
		return DataJob{}, fmt.Errorf("create data job %s: %w", name, err)
	}
	job := DataJob{ServiceID: resp.ID, DBHost: site.ServiceDB, DBSecret: contract.SecretPath(contract.SecretDB),
		Content: contract.ContentDir, User: jobUser}
	id, err := c.waitJobContainer(ctx, resp.ID, opts.Timeout)
	if err != nil {
		_ = c.RemoveDataJob(context.WithoutCancel(ctx), job)
		return DataJob{}, fmt.Errorf("data job %s: %w", name, err)
	}
	job.Container = id
	events.Emit(ctx, "service "+name, events.Done, "running")
	return job, nil
}

// RemoveDataJob removes the job's service (its container goes with it).
func (c *Cluster) RemoveDataJob(ctx context.Context, job DataJob) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := c.cli.ServiceRemove(ctx, job.ServiceID); err != nil && !isNotFound(err) {
		return fmt.Errorf("remove data job: %w", err)
	}
	return nil
}

// dataJobSpec is the job's service: the database's image (it has the
// MariaDB client and GNU tar), networks and password secret, the web
// service's wp-content mount, pinned to the manager we talk to.
func dataJobSpec(opts DataJobOptions, managerID string, db, web swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	if db.TaskTemplate.ContainerSpec == nil || web.TaskTemplate.ContainerSpec == nil {
		return swarm.ServiceSpec{}, fmt.Errorf("stack %s: its services are not container services", opts.Stack)
	}
	var content *mount.Mount
	for _, m := range web.TaskTemplate.ContainerSpec.Mounts {
		if m.Target == contract.ContentDir {
			m := m
			m.ReadOnly = !opts.Write
			content = &m
		}
	}
	if content == nil {
		return swarm.ServiceSpec{}, fmt.Errorf("stack %s: the web service mounts nothing at %s", opts.Stack, contract.ContentDir)
	}
	var secret *swarm.SecretReference
	for _, s := range db.TaskTemplate.ContainerSpec.Secrets {
		if s.File != nil && s.File.Name == contract.SecretDB {
			secret = &swarm.SecretReference{SecretID: s.SecretID, SecretName: s.SecretName,
				File: &swarm.SecretReferenceFileTarget{Name: contract.SecretDB, UID: "33", GID: "33", Mode: 0o400}}
		}
	}
	if secret == nil {
		return swarm.ServiceSpec{}, fmt.Errorf("stack %s: the database service has no %s secret", opts.Stack, contract.SecretDB)
	}
	labels := map[string]string{LabelNamespace: opts.Stack, site.LabelManaged: "true", site.LabelService: "wpstack-job"}
	for k, v := range db.Labels {
		if k == site.LabelSite {
			labels[k] = v
		}
	}
	secs := int(opts.Lifetime / time.Second)
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: JobServiceName(opts.Stack), Labels: labels},
		Mode:        swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: uint64Ptr(1)}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image:  db.TaskTemplate.ContainerSpec.Image,
				Labels: labels,
				// Idle until wpstack has done its work through exec.
				Command: []string{"sleep", fmt.Sprint(secs)},
				// The image's own check is the database server's: the job
				// runs none, and swarm would hold the task in "starting".
				Healthcheck:    &container.HealthConfig{Test: []string{"NONE"}},
				User:           jobUser,
				ReadOnly:       true,
				CapabilityDrop: []string{"ALL"},
				Mounts:         []mount.Mount{*content, {Type: mount.TypeTmpfs, Target: "/tmp"}},
				Secrets:        []*swarm.SecretReference{secret},
			},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			Placement:     &swarm.Placement{Constraints: []string{"node.id == " + managerID}},
			Networks:      db.TaskTemplate.Networks,
		},
		EndpointSpec: &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR},
	}, nil
}

func uint64Ptr(v uint64) *uint64 { return &v }

// waitJobContainer waits for the job's task to run and returns its
// container's ID on this engine; a task that fails says why.
func (c *Cluster) waitJobContainer(ctx context.Context, serviceID string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	last := "no task yet"
	for {
		tasks, err := c.cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", serviceID))})
		if err != nil {
			return "", fmt.Errorf("list its tasks: %w", err)
		}
		for _, t := range tasks {
			last = fmt.Sprintf("task %s is %s: %s %s", t.ID, t.Status.State, t.Status.Message, t.Status.Err)
			switch t.Status.State {
			case swarm.TaskStateRunning:
				list, err := c.cli.ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "com.docker.swarm.task.id="+t.ID))})
				if err != nil {
					return "", fmt.Errorf("find its container: %w", err)
				}
				if len(list) == 1 {
					return list[0].ID, nil
				}
				last = fmt.Sprintf("task %s runs, but %d containers on this engine carry its label", t.ID, len(list))
			case swarm.TaskStateFailed, swarm.TaskStateRejected, swarm.TaskStateComplete, swarm.TaskStateShutdown:
				msg := strings.TrimSpace(t.Status.Err)
				if msg == "" {
					msg = t.Status.Message
				}
				return "", fmt.Errorf("its task ended (%s): %s", t.Status.State, msg)
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("its task did not run within %s (%s): see `docker service ps %s`", timeout, strings.TrimSpace(last), serviceID)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}
