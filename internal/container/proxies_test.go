package container

import (
	"strings"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		in, list, expr, err string
	}{
		{in: ""},
		{in: "  "},
		{in: "10.0.0.0/8", list: "10.0.0.0/8", expr: "%{CONN_REMOTE_ADDR} -ipmatch '10.0.0.0/8'"},
		{in: "10.0.1.7/8, 192.168.1.10", list: "10.0.0.0/8 192.168.1.10/32",
			expr: "%{CONN_REMOTE_ADDR} -ipmatch '10.0.0.0/8' || %{CONN_REMOTE_ADDR} -ipmatch '192.168.1.10/32'"},
		{in: "fd00::/8 172.16.0.0/12", list: "fd00::/8 172.16.0.0/12"},
		{in: "10.0.0.0/33", err: `"10.0.0.0/33" is not an IP address`},
		{in: "edge.example", err: `"edge.example"`},
		{in: "10.0.0.0/8' || true || '", err: "is not an IP address"},
		{in: "10.0.0.1\"\nRemoteIPTrustedProxy 0.0.0.0/0", err: "is not an IP address"},
	} {
		ps, err := trustedProxies(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), EnvTrustedProxies) {
				t.Errorf("%q: error %v, want %q naming %s", tt.in, err, tt.err, EnvTrustedProxies)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		v := proxyVars(ps)
		if v["WPSTACK_PROXY_LIST"] != tt.list || (tt.expr != "" && v["WPSTACK_PROXY_EXPR"] != tt.expr) {
			t.Errorf("%q: vars %v, want list %q expr %q", tt.in, v, tt.list, tt.expr)
		}
		args := strings.Join(apacheArgs(environ(v)), " ")
		if want := tt.list != ""; strings.Contains(args, "-DWPSTACK_TRUSTED_PROXIES") != want {
			t.Errorf("%q: apache args %q, want the proxy section %v", tt.in, args, want)
		}
	}
}
