package container

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/wpstack/wpstack/internal/contract"
)

// EnvTrustedProxies lists the address ranges (CIDR or single addresses,
// comma or space separated) whose X-Forwarded-* headers Apache honours.
// Empty, the default, trusts nobody.
const EnvTrustedProxies = contract.EnvTrustedProxies

// trustedProxies parses EnvTrustedProxies into prefixes. A bad entry is
// an error: a typo must not silently trust nobody, or everybody.
func trustedProxies(value string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		var p netip.Prefix
		var err error
		if strings.Contains(f, "/") {
			p, err = netip.ParsePrefix(f)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(f); err == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil || p.Addr().Zone() != "" {
			return nil, fmt.Errorf("%s: %q is not an IP address or CIDR range: give e.g. 10.0.0.0/8,192.168.1.10", EnvTrustedProxies, f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// proxyVars are what wpstack-server.conf reads: the list for
// RemoteIPTrustedProxy and an expression matching the connection's peer.
func proxyVars(ps []netip.Prefix) map[string]string {
	list := make([]string, len(ps))
	expr := make([]string, len(ps))
	for i, p := range ps {
		list[i] = p.String()
		expr[i] = fmt.Sprintf("%%{CONN_REMOTE_ADDR} -ipmatch '%s'", p)
	}
	return map[string]string{contract.EnvProxyList: strings.Join(list, " "), contract.EnvProxyExpr: strings.Join(expr, " || ")}
}

// apacheArgs starts Apache in the foreground, with the trusted-proxy
// section of its configuration when env names proxies (apacheEnviron has
// checked them).
func apacheArgs(env environ) []string {
	args := []string{"apache2", "-DFOREGROUND"}
	if env[contract.EnvProxyList] != "" {
		args = append(args, "-DWPSTACK_TRUSTED_PROXIES")
	}
	return args
}
