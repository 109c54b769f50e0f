// Package swarm is the cluster target: it deploys a site's stack (from
// plan.Stack) to a Docker Swarm through the Engine API, as `docker stack
// deploy` would, and scales, updates, rolls back, reports and removes it.
//
// The Engine API has no "stack" object: a stack is services, one overlay
// network and secrets sharing the com.docker.stack.namespace label, so the
// docker CLI's `docker stack ls|ps|rm` see wpstack's stacks too.
package swarm
