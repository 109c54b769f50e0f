// Package events carries progress from the service layer to whoever shows it.
// The service layer never prints; it emits events and the CLI renders them.
package events

import (
	"context"
	"time"
)

// Status is the state of one resource in an event.
type Status string

const (
	Working Status = "working"
	Done    Status = "done"
	Skipped Status = "skipped"
	Info    Status = "info"
	Warning Status = "warning"
	Failed  Status = "failed"
)

// Event says what happened to one resource.
type Event struct {
	Time     time.Time `json:"time"`
	Resource string    `json:"resource"` // e.g. "image wpstack/web", "container blog-web-1"
	Status   Status    `json:"status"`
	Text     string    `json:"text,omitempty"`
}

// Sink receives events. Implementations must be safe for concurrent use.
type Sink interface {
	Emit(Event)
}

// Func adapts a function to a Sink.
type Func func(Event)

// Emit calls f.
func (f Func) Emit(e Event) { f(e) }

// Discard drops every event.
var Discard Sink = Func(func(Event) {})

type ctxKey struct{}

// WithSink returns a context carrying s, so deep calls can report progress
// without every signature growing a parameter.
func WithSink(ctx context.Context, s Sink) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// From returns the sink carried by ctx, or Discard.
func From(ctx context.Context) Sink {
	if s, ok := ctx.Value(ctxKey{}).(Sink); ok && s != nil {
		return s
	}
	return Discard
}

// Emit sends an event to the sink carried by ctx.
func Emit(ctx context.Context, resource string, status Status, text string) {
	From(ctx).Emit(Event{Time: time.Now(), Resource: resource, Status: status, Text: text})
}
