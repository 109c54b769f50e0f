package images

import "testing"

func TestParseMariaDBVersion(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)\n", "10.11.19"},
		{"mariadbd  Ver 11.4.2-MariaDB for Linux on x86_64", "11.4.2"},
		{"garbage", ""},
	} {
		got, err := parseMariaDBVersion(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("parseMariaDBVersion(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
