package cli

import (
	"testing"
	"time"
)

func TestParseDays(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"30d", 30 * 24 * time.Hour, true}, {"720h", 720 * time.Hour, true}, {"90m", 90 * time.Minute, true},
		{"0d", 0, false}, {"-1h", 0, false}, {"soon", 0, false}, {"d", 0, false}} {
		got, err := parseDays(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDays(%q) = %v, %v", tt.in, got, err)
		}
	}
}
