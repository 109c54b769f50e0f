package service

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/plan"
)

func TestCheckExportOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts ExportOptions
		want string // "" = accepted
	}{
		{"compose to a file", ExportOptions{Format: plan.FormatCompose, Output: "compose.yaml"}, ""},
		{"stack to stdout", ExportOptions{Format: plan.FormatStack, Output: "-", EndpointMode: "vip"}, ""},
		{"dir to a new folder", ExportOptions{Format: plan.FormatDir, Output: dir + "/eject"}, ""},
		{"unknown format", ExportOptions{Format: "helm", Output: "x"}, `unknown format "helm"`},
		{"no output", ExportOptions{Format: plan.FormatCompose}, "give the file"},
		{"dir to stdout", ExportOptions{Format: plan.FormatDir, Output: "-"}, "writes a folder"},
		{"endpoint mode outside stack", ExportOptions{Format: plan.FormatCompose, Output: "x", EndpointMode: "vip"}, "--format stack only"},
		{"file output is a folder", ExportOptions{Format: plan.FormatCompose, Output: dir}, "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkExportOptions(tt.opts)
			if tt.want == "" && err != nil {
				t.Errorf("refused: %v", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}
