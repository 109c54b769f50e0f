// Package dockerclient opens a connection to the Docker engine the user
// points at (DOCKER_HOST and friends) and turns "no engine" into an error
// that says how to get one.
package dockerclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/docker/docker/client"
)

// ErrUnreachable is wrapped by errors about an engine that does not answer.
var ErrUnreachable = errors.New("docker engine unreachable")

// New connects to the engine from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
// DOCKER_CERT_PATH), negotiates the API version, and checks that it answers.
func New(ctx context.Context) (*client.Client, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("configure docker client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		_ = cli.Close()
		host := os.Getenv("DOCKER_HOST")
		if host == "" {
			host = client.DefaultDockerHost
		}
		return nil, fmt.Errorf("%w at %s: %v\n  start one with: sudo scripts/setup.sh (installs docker.io and starts dockerd),\n  or point DOCKER_HOST at a running engine", ErrUnreachable, host, err)
	}
	cli.NegotiateAPIVersion(ctx)
	return cli, nil
}
