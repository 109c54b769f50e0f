// Package cli is wpstack's command line: one file per command, each turning
// flags into an options struct and calling the service. Commands return
// errors; main turns them into exit codes.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/service"
)

// Version is set at build time (-ldflags "-X .../cli.Version=...").
var Version = "dev"

// UsageError marks errors in how a command was called (exit code 2).
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

type globals struct {
	progress string
	stdout   io.Writer
	stderr   io.Writer
}

// NewRoot builds the command tree.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "wpstack",
		Short: "WordPress on Docker, from nothing to running, and kept running",
		Long: `wpstack takes a WordPress site from nothing to running on a Docker engine:
it builds its images offline from Debian, starts a web and a database
container on a private network, installs WordPress, and prints the URL and
where the admin password is kept. Every command is safe to re-run.

State (site specs and generated secrets, mode 0600) lives in $WPSTACK_HOME,
else $XDG_DATA_HOME/wpstack, else ~/.local/share/wpstack. The engine is the
one DOCKER_HOST points at (default: the local socket). Each network wpstack
creates there gets a /27 of WPSTACK_SUBNET_RANGE (default 10.213.0.0/16).`,
		Example: `  wpstack up blog --port 8080 --title "My Blog" --admin-email me@example.com
  wpstack status blog
  wpstack logs blog --service web --follow
  wpstack down blog
  wpstack destroy blog --yes`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return UsageError{fmt.Errorf("%w\n  see: %s --help", err, c.CommandPath())}
	})
	root.PersistentFlags().StringVar(&g.progress, "progress", "auto", "how to show progress: auto, tty, plain, json or quiet")
	root.AddCommand(newUp(g), newStatus(g), newLogs(g), newDown(g), newDestroy(g), newImages(g))
	root.AddCommand(newScale(g), newUpdate(g), newRollback(g))
	root.AddCommand(newBackup(g), newRestore(g), newClone(g))
	root.AddCommand(newUpgrade(g))
	root.AddCommand(newExport(g))
	root.AddCommand(newImport(g), newAdopt(g))
	root.AddCommand(newEdge(g), newCache(g), newMail(g))
	return root
}

func (g *globals) service() (*service.Service, error) {
	return service.New(service.Options{})
}

// Execute runs the command line and returns the process exit code.
func Execute(ctx context.Context, args []string) int {
	root := NewRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	var ue UsageError
	switch {
	case errors.As(err, &ue):
		return 2
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "interrupted: nothing is half-made that `wpstack up` cannot finish; re-run the command")
		return 130
	default:
		return 1
	}
}

// exactlyOneSite is a cobra Args check with a message that teaches.
func exactlyOneSite(c *cobra.Command, args []string) error {
	if len(args) != 1 {
		return UsageError{fmt.Errorf("%s needs exactly one site name, e.g. `%s blog`", c.CommandPath(), c.CommandPath())}
	}
	return nil
}

// start opens the service and a context whose progress events render on
// stderr. Call done before printing results, so a live line is cleared.
func (g *globals) start(ctx context.Context) (context.Context, *service.Service, func(), error) {
	svc, err := g.service()
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := newRenderer(g.progress, g.stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	return events.WithSink(ctx, r), svc, r.finish, nil
}

// printJSON writes v as indented JSON on stdout.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
