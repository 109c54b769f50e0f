package site

import (
	"strings"
	"testing"
)

func TestValidateBackup(t *testing.T) {
	tests := []struct {
		every  string
		keep   int
		layout string
		want   string // substring of the error; "" = valid
	}{
		{"", 0, LayoutSplit, ""},
		{"24h", 7, LayoutSplit, ""},
		{"10s", 1, LayoutSplit, ""},
		{"", 3, LayoutSplit, "--every"},
		{"1s", 7, LayoutSplit, "--every"},
		{"daily", 7, LayoutSplit, "--every"},
		{"24h", 0, LayoutSplit, "--keep"},
		{"24h", 7, LayoutAllInOne, ""}, // a third child of the one container
	}
	for _, tt := range tests {
		s := Spec{Name: "blog", BackupEvery: tt.every, BackupKeep: tt.keep, Layout: tt.layout}
		s.ApplyDefaults()
		err := s.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("every=%q keep=%d %s: unexpected error %v", tt.every, tt.keep, tt.layout, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("every=%q keep=%d %s: error %v, want one mentioning %q", tt.every, tt.keep, tt.layout, err, tt.want)
		}
	}
	s := Spec{Name: "blog", BackupEvery: "24h", BackupKeep: 7}
	s.ApplyDefaults()
	if got := s.Services(); len(got) != 3 || got[2] != ServiceBackup {
		t.Errorf("services with a schedule = %v, want db, web, backup", got)
	}
}
