package dockerbuild

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/build"

	"github.com/wpstack/wpstack/internal/events"
)

// fakeBuilder records one ImageBuild call and answers with a canned stream.
type fakeBuilder struct {
	Engine // unimplemented methods panic
	opts   build.ImageBuildOptions
	names  []string
	stream string
}

func (f *fakeBuilder) ImageBuild(_ context.Context, r io.Reader, o build.ImageBuildOptions) (build.ImageBuildResponse, error) {
	f.opts = o
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return build.ImageBuildResponse{}, err
		}
		f.names = append(f.names, h.Name)
	}
	return build.ImageBuildResponse{Body: io.NopCloser(strings.NewReader(f.stream))}, nil
}

func TestBuild(t *testing.T) {
	f := &fakeBuilder{stream: okStream}
	var got []events.Event
	ctx := events.WithSink(context.Background(), events.Func(func(e events.Event) { got = append(got, e) }))
	id, err := Build(ctx, f, Request{
		Resource:  "image wpstack/db",
		Tags:      []string{"wpstack/db:abc"},
		Labels:    map[string]string{"io.wpstack.role": "db"},
		BuildArgs: map[string]string{"BASE": "wpstack/base:bookworm"},
		Context: func(tw *tar.Writer) error {
			return AddBytes(tw, "Dockerfile", 0o644, []byte("FROM scratch\n"))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if id != "sha256:0123abcd" {
		t.Errorf("id = %q", id)
	}
	o := f.opts
	if o.Version != build.BuilderV1 || !o.Remove || !o.ForceRemove || *o.BuildArgs["BASE"] != "wpstack/base:bookworm" || o.Tags[0] != "wpstack/db:abc" || o.Labels["io.wpstack.role"] != "db" {
		t.Errorf("build options = %+v", o)
	}
	if len(f.names) != 1 || f.names[0] != "Dockerfile" {
		t.Errorf("context = %q", f.names)
	}
	if len(got) != 3 || got[0].Text != "Step 1/3 : ARG BASE=wpstack/base:bookworm" || got[0].Resource != "image wpstack/db" {
		t.Errorf("events = %+v", got)
	}
}

func TestBuildContextError(t *testing.T) {
	f := &fakeBuilder{stream: okStream}
	_, err := Build(context.Background(), f, Request{
		Resource: "image x",
		Context:  func(*tar.Writer) error { return errors.New("disk on fire") },
	})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("error = %v, want the context writer's error", err)
	}
}

func TestBuildStepFailure(t *testing.T) {
	f := &fakeBuilder{stream: failStream}
	_, err := Build(context.Background(), f, Request{
		Resource: "image wpstack/web",
		Context:  func(tw *tar.Writer) error { return AddBytes(tw, "Dockerfile", 0o644, nil) },
	})
	if err == nil || !strings.Contains(err.Error(), "build image wpstack/web") || !strings.Contains(err.Error(), "Unable to locate package") {
		t.Fatalf("error = %v", err)
	}
}
