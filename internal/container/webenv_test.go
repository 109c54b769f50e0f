package container

import (
	"strings"
	"testing"
)

func TestCheckWebEnviron(t *testing.T) {
	for _, tc := range []struct {
		env     environ
		wantErr string
	}{
		{environ{}, ""},
		{environ{"WORDPRESS_DB_PASSWORD": "x", "WORDPRESS_DB_USER_FILE": "/f"}, ""},
		{environ{"WORDPRESS_DB_PASSWORD": "x", "WORDPRESS_DB_PASSWORD_FILE": "/f"}, "both WORDPRESS_DB_PASSWORD and WORDPRESS_DB_PASSWORD_FILE"},
		{environ{"OTHER": "x", "OTHER_FILE": "/f"}, ""},
	} {
		err := checkWebEnviron(tc.env)
		if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("checkWebEnviron(%v) = %v, want %q", tc.env, err, tc.wantErr)
		}
	}
}
