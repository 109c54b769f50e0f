package service

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

func TestMergeStack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stored  string
		want    string
		created bool
		got     string
		err     string
	}{
		{name: "new site gets trixie", created: true, got: site.StackTrixie},
		{name: "new site on bookworm", want: "bookworm", created: true, got: site.StackBookworm},
		{name: "new site bad stack", want: "sid", created: true, err: `unknown stack "sid"`},
		{name: "old site stays bookworm", got: site.StackBookworm},
		{name: "old site asked for its own", want: "bookworm", got: site.StackBookworm},
		{name: "old site asked for trixie", want: "trixie", err: "wpstack upgrade blog --to trixie"},
		{name: "trixie site stays", stored: "trixie", got: site.StackTrixie},
		{name: "trixie site asked for bookworm", stored: "trixie", want: "bookworm", err: "up never changes a site's stack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := site.Spec{Name: "blog", Stack: tc.stored}
			err := mergeStack(&spec, tc.want, tc.created)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || spec.Stack != tc.got {
				t.Fatalf("stack = %q, err %v; want %q", spec.Stack, err, tc.got)
			}
		})
	}
}
