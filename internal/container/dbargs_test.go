package container

import (
	"reflect"
	"strings"
	"testing"
)

func TestServerArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    []string
		wantErr string
	}{
		{args: nil, want: nil},
		{args: []string{"--log-bin", "--server-id=7"}, want: []string{"--log-bin", "--server-id=7"}},
		{args: []string{"mariadbd", "--log-bin"}, want: []string{"--log-bin"}},
		{args: []string{"mysqld", "--character-set-server=latin1"}, want: []string{"--character-set-server=latin1"}},
		{args: []string{"mysqld"}, want: []string{}},
		{args: []string{"bash"}, wantErr: "--entrypoint"},
		{args: []string{"--log-bin", "oops"}, wantErr: `"oops" is not a server option`},
	} {
		got, err := serverArgs(tc.args)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("serverArgs(%q) error = %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || (len(got) != 0 || len(tc.want) != 0) && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("serverArgs(%q) = %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
}
