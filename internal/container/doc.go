// Package container is what runs inside the wpstack images as PID 1, the
// program cmd/wpstack-init (not the CLI: see internal/initbin).
//
// `wpstack-init <role>` prepares the container as root (data folder
// ownership, secret copies), drops to the service user and then supervises
// the service: signals forwarded, zombies reaped, exit code passed through.
// The health and version roles are run by Docker and by the host side with
// `docker exec`. The names it shares with the host side (paths, users,
// variables, roles) are internal/contract's. It links no Docker client
// (deps_test.go).
package container
