package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/events"
)

func TestUsageErrors(t *testing.T) {
	t.Setenv("WPSTACK_HOME", t.TempDir())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"up"}, "exactly one site name"},
		{[]string{"up", "a", "b"}, "exactly one site name"},
		{[]string{"status", "a", "b"}, "at most one"},
		{[]string{"up", "blog", "--port", "x"}, "invalid argument"},
		{[]string{"up", "blog", "--nosuch"}, "unknown flag"},
		{[]string{"down", "blog", "--progress", "fancy"}, "unknown --progress"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		root := NewRoot(&out, &errb)
		root.SetArgs(tt.args)
		err := root.ExecuteContext(context.Background())
		var ue UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want a usage error mentioning %q", tt.args, err, tt.want)
		}
	}
}

func TestHelpTeaches(t *testing.T) {
	for _, cmd := range []string{"up", "status", "logs", "down", "destroy"} {
		var out bytes.Buffer
		root := NewRoot(&out, &out)
		root.SetArgs([]string{cmd, "--help"})
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "Examples:") || !strings.Contains(out.String(), "wpstack "+cmd) {
			t.Errorf("%s --help has no example:\n%s", cmd, out.String())
		}
	}
}

func TestRenderer(t *testing.T) {
	var buf bytes.Buffer
	r, err := newRenderer("plain", &buf)
	if err != nil {
		t.Fatal(err)
	}
	r.Emit(events.Event{Resource: "container blog-web-1", Status: events.Done, Text: "started"})
	if !strings.Contains(buf.String(), "container blog-web-1: started") {
		t.Errorf("plain line = %q", buf.String())
	}
	buf.Reset()
	r, _ = newRenderer("json", &buf)
	r.Emit(events.Event{Resource: "x", Status: events.Working})
	if !strings.HasPrefix(buf.String(), "{") || !strings.Contains(buf.String(), `"status":"working"`) {
		t.Errorf("json line = %q", buf.String())
	}
	buf.Reset()
	r, _ = newRenderer("tty", &buf)
	r.Emit(events.Event{Resource: "x", Status: events.Working, Text: "a"})
	r.Emit(events.Event{Resource: "x", Status: events.Done, Text: "b"})
	if !strings.Contains(buf.String(), "\r\033[K") {
		t.Errorf("tty renderer does not overwrite its working line: %q", buf.String())
	}
}
