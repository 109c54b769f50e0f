package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestExportUsage(t *testing.T) {
	t.Setenv("WPSTACK_HOME", t.TempDir())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"export", "--format", "compose", "-o", "x.yaml"}, "exactly one site name"},
		{[]string{"export", "blog", "-o", "x.yaml"}, "--format compose, --format stack, --format dir"},
		{[]string{"export", "blog", "--format", "helm", "-o", "x.yaml"}, `format "helm"`},
		{[]string{"export", "blog", "--format", "compose"}, "no output: give -o"},
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

func TestExportHelp(t *testing.T) {
	var out bytes.Buffer
	root := NewRoot(&out, &out)
	root.SetArgs([]string{"export", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wpstack export blog --format compose -o compose.yaml", "docker-compose -f compose.yaml -p blog up -d", "docker stack deploy", "--endpoint-mode", "up -d --build"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("export --help lacks %q", want)
		}
	}
}
