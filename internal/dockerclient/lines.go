package dockerclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/docker/docker/pkg/stdcopy"
)

// CopyLogLines demultiplexes a log stream from the Engine API (stdout and
// stderr frames) and writes it to out line by line, each with prefix; mu
// keeps lines of streams copied at once from interleaving. name is for errors.
func CopyLogLines(ctx context.Context, rc io.Reader, out io.Writer, mu *sync.Mutex, prefix, name string) error {
	pr, pw := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(pw, pw, rc)
		pw.CloseWithError(err)
	}()
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		mu.Lock()
		fmt.Fprintf(out, "%s%s\n", prefix, sc.Text())
		mu.Unlock()
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read logs of %s: %w", name, err)
	}
	return nil
}

// LinePrefix is the one prefix format of log lines of several services,
// on every target: the service name padded to the longest short name.
func LinePrefix(service string) string { return fmt.Sprintf("%-6s | ", service) }
