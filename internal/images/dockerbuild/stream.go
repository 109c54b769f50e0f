package dockerbuild

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// message is one object of the engine's JSON progress stream (build, pull,
// import all use the same shape).
type message struct {
	Stream      string `json:"stream"`
	Status      string `json:"status"`
	Progress    string `json:"progress"`
	ID          string `json:"id"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Aux json.RawMessage `json:"aux"`
}

// tailLines is how many output lines a failure carries, enough to show the
// failing command's own error without flooding the terminal.
const tailLines = 15

// StreamResult is what a decoded progress stream reported.
type StreamResult struct {
	ImageID string   // from "aux":{"ID":…} or "Successfully built …"
	Tail    []string // last output lines, oldest first
}

// DecodeStream reads the engine's JSON progress stream, calls line for every
// non-empty output line (step lines, command output, statuses), and turns an
// error message into an error that carries the last lines of output.
func DecodeStream(r io.Reader, line func(string)) (StreamResult, error) {
	var res StreamResult
	dec := json.NewDecoder(r)
	keep := func(s string) {
		res.Tail = append(res.Tail, s)
		if len(res.Tail) > tailLines {
			res.Tail = res.Tail[len(res.Tail)-tailLines:]
		}
		if line != nil {
			line(s)
		}
	}
	for {
		var m message
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return res, nil
			}
			return res, fmt.Errorf("read engine progress stream: %w", err)
		}
		if m.ErrorDetail != nil || m.Error != "" {
			msg := m.Error
			if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
				msg = m.ErrorDetail.Message
			}
			return res, &StreamError{Message: strings.TrimSpace(msg), Tail: res.Tail}
		}
		if len(m.Aux) > 0 {
			var aux struct {
				ID string `json:"ID"`
			}
			if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
				res.ImageID = aux.ID
			}
		}
		text := m.Stream
		if text == "" && m.Status != "" {
			text = m.Status
			if m.ID != "" {
				text = m.ID + ": " + text
			}
		}
		for _, l := range strings.Split(text, "\n") {
			l = strings.TrimRight(l, "\r \t")
			if l == "" {
				continue
			}
			if id, ok := strings.CutPrefix(l, "Successfully built "); ok && res.ImageID == "" {
				res.ImageID = strings.TrimSpace(id)
			}
			keep(l)
		}
	}
}

// StreamError is an error reported inside a progress stream.
type StreamError struct {
	Message string
	Tail    []string
}

func (e *StreamError) Error() string {
	if len(e.Tail) == 0 {
		return e.Message
	}
	return e.Message + "\n  last output:\n    " + strings.Join(e.Tail, "\n    ")
}
