package swarm

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// StuckAttempts is how many consecutive task attempts of a service must
// fail with the same non-transient error before a wait gives up on it.
const StuckAttempts = 3

// TaskProblem is a task error worth showing while a stack converges.
type TaskProblem struct {
	Service string
	Node    string // hostname, or the node ID when unknown; "" when unscheduled
	State   swarm.TaskState
	Err     string
	Fix     string
	// Permanent: the error cannot clear by itself, so waiting is pointless.
	Permanent bool
}

func (p TaskProblem) String() string {
	where := ""
	if p.Node != "" {
		where = " on node " + p.Node
	}
	return fmt.Sprintf("service %s: task %s%s: %s; %s", p.Service, p.State, where, p.Err, p.Fix)
}

// errKind is what a task error means for the user.
type errKind int

const (
	kindOther      errKind = iota // unknown: shown, waited on
	kindBindSource                // a bind mount's host path is missing on the node
	kindMount                     // another invalid mount: the spec cannot run
	kindNoNode                    // no node satisfies the placement
	kindImage                     // the node cannot get the image
)

// classify names an error and its fix. transient errors may clear by
// themselves (a node joining, a registry coming back).
func classify(msg string) (errKind, string) {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "bind source path does not exist"):
		path := msg[strings.LastIndex(msg, ":")+1:]
		return kindBindSource, fmt.Sprintf("fix: create %s on that node (--shared-storage must be present on every node), then run the command again", strings.TrimSpace(path))
	case strings.Contains(m, "invalid mount config"):
		return kindMount, "fix: correct the mount (see --shared-storage), then run the command again"
	case strings.Contains(m, "no suitable node"):
		return kindNoNode, "fix: check `docker node ls` (nodes ready and active, labels), and that the placement's node label is set"
	case strings.Contains(m, "no such image"), strings.Contains(m, "pull access denied"),
		strings.Contains(m, "manifest unknown"), strings.Contains(m, "not found: manifest"):
		return kindImage, "fix: give every node a registry to pull from with --registry, and check the node reaches it"
	}
	return kindOther, "see `docker service ps --no-trunc` for the task's history"
}

// problems finds the task errors of one service since a time. nodes maps
// node IDs to hostnames; labels says which node labels exist with value
// "true" anywhere in the swarm.
func problems(svc swarm.Service, tasks []swarm.Task, since time.Time, nodes map[string]string, labels map[string]bool) []TaskProblem {
	var attempts []swarm.Task
	for _, t := range tasks {
		if !t.Meta.CreatedAt.Before(since.Add(-time.Second)) {
			attempts = append(attempts, t)
		}
	}
	// Newest first: the attempts that count are the latest ones.
	sort.SliceStable(attempts, func(i, j int) bool { return attempts[i].Meta.CreatedAt.After(attempts[j].Meta.CreatedAt) })
	var out []TaskProblem
	seen := map[string]bool{}
	for _, t := range attempts {
		if t.Status.Err == "" {
			continue
		}
		switch t.Status.State {
		case swarm.TaskStateRejected, swarm.TaskStateFailed, swarm.TaskStatePending:
		default:
			continue
		}
		kind, fix := classify(t.Status.Err)
		node := nodes[t.NodeID]
		if node == "" {
			node = t.NodeID
		}
		p := TaskProblem{Service: svc.Spec.Name, Node: node, State: t.Status.State, Err: t.Status.Err, Fix: fix}
		switch kind {
		case kindNoNode:
			if l := missingLabel(svc, labels); l != "" {
				p.Permanent = true
				p.Fix = fmt.Sprintf("fix: no node carries the label %s=true that pins this service; set it with `docker node update --label-add %s=true NODE` (wpstack sets it on `up`), then run the command again", l, l)
			}
		case kindBindSource, kindMount, kindImage:
			p.Permanent = lastAttemptsFailed(attempts, t.Status.Err)
		}
		key := p.Node + "\x00" + p.Err
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
	}
	return out
}

// lastAttemptsFailed says whether the latest StuckAttempts task attempts
// of a service (newest first) all ended with err: swarm kept retrying and
// nothing changed. A task that ran in between means it may still clear.
func lastAttemptsFailed(attempts []swarm.Task, err string) bool {
	if len(attempts) < StuckAttempts {
		return false
	}
	for _, t := range attempts[:StuckAttempts] {
		if t.Status.Err != err || (t.Status.State != swarm.TaskStateRejected && t.Status.State != swarm.TaskStateFailed) {
			return false
		}
	}
	return true
}

// missingLabel returns the node label a service's placement requires
// (node.labels.K == true) when no node carries it.
func missingLabel(svc swarm.Service, labels map[string]bool) string {
	p := svc.Spec.TaskTemplate.Placement
	if p == nil {
		return ""
	}
	for _, c := range p.Constraints {
		k, v, ok := strings.Cut(c, "==")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !strings.HasPrefix(k, "node.labels.") || v != "true" {
			continue
		}
		if l := strings.TrimPrefix(k, "node.labels."); !labels[l] {
			return l
		}
	}
	return ""
}
