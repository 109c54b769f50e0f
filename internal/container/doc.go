// Package container is what runs inside the wpstack images as PID 1.
//
// `wpstack container <role>` prepares the container as root (data folder
// ownership, secret copies), drops to the service user and then supervises
// the service: signals forwarded, zombies reaped, exit code passed through.
// The health and version roles are run by Docker and by the host side with
// `docker exec`.
package container
