package site

import (
	"strings"
	"testing"
)

func TestStacks(t *testing.T) {
	for _, tc := range []struct {
		stack, release, newer string
	}{
		{"", StackBookworm, StackTrixie}, // made before stacks existed
		{StackBookworm, StackBookworm, StackTrixie},
		{StackTrixie, StackTrixie, ""},
	} {
		s := Spec{Stack: tc.stack}
		if got := s.StackRelease(); got != tc.release {
			t.Errorf("Stack %q: StackRelease = %q, want %q", tc.stack, got, tc.release)
		}
		if got := s.NewerStack(); got != tc.newer {
			t.Errorf("Stack %q: NewerStack = %q, want %q", tc.stack, got, tc.newer)
		}
	}
	if err := ValidateStack("buster"); err == nil || !strings.Contains(err.Error(), "--stack trixie") {
		t.Errorf("ValidateStack(buster) = %v, want an error naming the stacks", err)
	}
	s := Spec{Name: "blog", Stack: "sid"}
	s.ApplyDefaults()
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `unknown stack "sid"`) {
		t.Errorf("Validate with stack sid = %v", err)
	}
	if StackRank(StackTrixie) <= StackRank(StackBookworm) || StackRank("x") != -1 {
		t.Error("stacks are not ordered oldest first")
	}
}
