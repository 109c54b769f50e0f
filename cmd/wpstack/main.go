// Command wpstack runs WordPress sites on Docker. The same binary is PID 1
// inside wpstack's images (`wpstack container ...`).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/wpstack/wpstack/internal/cli"
	"github.com/wpstack/wpstack/internal/container"
)

func main() {
	// Inside a container the role owns signals and the exit code itself,
	// so it runs before any command-line machinery.
	if len(os.Args) > 1 && os.Args[1] == "container" {
		os.Exit(container.Main(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
