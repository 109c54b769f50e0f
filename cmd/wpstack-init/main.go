// Command wpstack-init is PID 1 in wpstack's images: `wpstack-init ROLE`
// prepares the container as root, drops to the service user and supervises
// the service (see internal/container). It is its own program, not the
// CLI, so that image tags hash what goes into the images: an edit to the
// CLI alone changes no tag and recreates no container. The CLI carries it
// (internal/initbin); nobody installs it by hand.
package main

import (
	"os"
	"path/filepath"

	"github.com/wpstack/wpstack/internal/container"
)

func main() {
	// The db image links healthcheck.sh here, the official image's name.
	if filepath.Base(os.Args[0]) == container.HealthcheckName {
		os.Exit(container.Healthcheck(os.Args[1:]))
	}
	os.Exit(container.Main(os.Args[1:]))
}
