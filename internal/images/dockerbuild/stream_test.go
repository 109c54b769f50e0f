package dockerbuild

import (
	"errors"
	"strings"
	"testing"
)

const okStream = `{"stream":"Step 1/3 : ARG BASE=wpstack/base:bookworm\n"}
{"stream":"Step 2/3 : FROM ${BASE}\n"}
{"stream":" ---\u003e 6fa868e117f7\n"}
{"stream":"Step 3/3 : RUN apt-get update\n"}
{"stream":" ---\u003e Running in 1c2d\n"}
{"stream":"Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]\nFetched 151 kB\n"}
{"aux":{"ID":"sha256:0123abcd"}}
{"stream":"Successfully built 0123abcd\n"}
{"stream":"Successfully tagged wpstack/db:abc\n"}
`

const failStream = `{"stream":"Step 1/2 : FROM wpstack/base:bookworm\n"}
{"stream":"Step 2/2 : RUN apt-get install -y nosuchpkg\n"}
{"stream":"E: Unable to locate package nosuchpkg\n"}
{"errorDetail":{"code":100,"message":"The command '/bin/sh -c apt-get install -y nosuchpkg' returned a non-zero code: 100"},"error":"The command '/bin/sh -c apt-get install -y nosuchpkg' returned a non-zero code: 100"}
`

func TestDecodeStream(t *testing.T) {
	var lines []string
	res, err := DecodeStream(strings.NewReader(okStream), func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatal(err)
	}
	if res.ImageID != "sha256:0123abcd" {
		t.Errorf("ImageID = %q", res.ImageID)
	}
	var steps []string
	for _, l := range lines {
		if strings.HasPrefix(l, "Step ") {
			steps = append(steps, l)
		}
	}
	if len(steps) != 3 || steps[2] != "Step 3/3 : RUN apt-get update" {
		t.Errorf("steps = %q", steps)
	}
	if len(lines) != 9 {
		t.Errorf("got %d lines, want 9 (multi-line stream entries split): %q", len(lines), lines)
	}
}

func TestDecodeStreamError(t *testing.T) {
	_, err := DecodeStream(strings.NewReader(failStream), nil)
	var se *StreamError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *StreamError", err)
	}
	msg := err.Error()
	for _, want := range []string{"returned a non-zero code: 100", "E: Unable to locate package nosuchpkg", "Step 2/2"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestDecodeStreamImageIDFromText(t *testing.T) {
	res, err := DecodeStream(strings.NewReader(`{"stream":"Successfully built 9f8e7d\n"}`), nil)
	if err != nil || res.ImageID != "9f8e7d" {
		t.Fatalf("= %+v, %v", res, err)
	}
}

func TestDecodeStreamKeepsTail(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		b.WriteString(`{"stream":"line\n"}`)
	}
	b.WriteString(`{"error":"boom"}`)
	_, err := DecodeStream(strings.NewReader(b.String()), nil)
	var se *StreamError
	if !errors.As(err, &se) || len(se.Tail) != tailLines || se.Message != "boom" {
		t.Fatalf("error = %#v", err)
	}
}

func TestLinkStaysInside(t *testing.T) {
	tests := []struct {
		rel, target string
		want        bool
	}{
		{"a.php", "b.php", true},
		{"wp-includes/js/u.js", "../x.js", true},
		{"wp-includes/js/u.js", "../../x.js", true},
		{"wp-includes/js/u.js", "../../../x.js", false},
		{"a", "/etc/passwd", false},
		{"a", "..", false},
		{"a", "", false},
	}
	for _, tt := range tests {
		if got := LinkStaysInside(tt.rel, tt.target); got != tt.want {
			t.Errorf("LinkStaysInside(%q, %q) = %v, want %v", tt.rel, tt.target, got, tt.want)
		}
	}
}
