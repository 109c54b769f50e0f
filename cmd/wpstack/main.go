// Command wpstack runs WordPress sites on Docker. PID 1 inside its images
// is a separate program, wpstack-init (cmd/wpstack-init), which this
// binary carries.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/wpstack/wpstack/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
