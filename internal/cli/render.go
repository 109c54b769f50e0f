package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/wpstack/wpstack/internal/events"
)

// renderer shows events: a live status line on a terminal, plain lines
// otherwise, JSON lines for machines, or nothing.
type renderer struct {
	mu    sync.Mutex
	mode  string
	out   io.Writer
	start time.Time
	live  bool // a working line is on screen and will be overwritten
}

func newRenderer(mode string, out io.Writer) (*renderer, error) {
	switch mode {
	case "auto":
		mode = "plain"
		if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "tty"
		}
	case "tty", "plain", "json", "quiet":
	default:
		return nil, UsageError{fmt.Errorf("unknown --progress %q: use auto, tty, plain, json or quiet", mode)}
	}
	return &renderer{mode: mode, out: out, start: time.Now()}, nil
}

func (r *renderer) Emit(e events.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.mode {
	case "quiet":
	case "json":
		_ = json.NewEncoder(r.out).Encode(e)
	case "tty":
		line := fmt.Sprintf("%s %-34s %s", symbol(e.Status), e.Resource, e.Text)
		if w := termWidth(r.out); w > 10 && len([]rune(line)) > w-1 {
			line = string([]rune(line)[:w-2]) + "…"
		}
		if r.live {
			fmt.Fprint(r.out, "\r\033[K")
		}
		if e.Status == events.Working {
			fmt.Fprint(r.out, line)
			r.live = true
			return
		}
		fmt.Fprintln(r.out, line)
		r.live = false
	default:
		fmt.Fprintf(r.out, "[%5.1fs] %-8s %s: %s\n", time.Since(r.start).Seconds(), e.Status, e.Resource, e.Text)
	}
}

// finish clears a live line so what follows starts on a clean line.
func (r *renderer) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live {
		fmt.Fprint(r.out, "\r\033[K")
		r.live = false
	}
}

func symbol(s events.Status) string {
	switch s {
	case events.Done:
		return "✔"
	case events.Skipped:
		return "·"
	case events.Failed:
		return "✘"
	case events.Warning:
		return "!"
	case events.Info:
		return "i"
	default:
		return "…"
	}
}

func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			return width
		}
	}
	return 0
}
