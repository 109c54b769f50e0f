// Package subnet gives each network wpstack creates on an engine a small
// subnet of a range of its own, so Docker's default address pools (about 30
// networks on a stock engine) do not cap how many sites one engine holds.
package subnet

import (
	"fmt"
	"net/netip"
	"strings"
)

const (
	// EnvRange names the variable that sets the range.
	EnvRange = "WPSTACK_SUBNET_RANGE"
	// DefaultRange is the range when EnvRange is unset: a private /16 that
	// Docker's default pools (172.17–31/16, 192.168/20s) never hand out.
	DefaultRange = "10.213.0.0/16"
	// Bits is the prefix length of each network: a /27 has 29 addresses for
	// containers besides the gateway. A site network holds 2–3 containers,
	// so that leaves room for one-off containers joined to it, and a /16
	// still holds 2048 of them (about 1000 sites with domains).
	Bits = 27
)

// ParseRange reads the range from the value of EnvRange ("" is the default).
func ParseRange(v string) (netip.Prefix, error) {
	if strings.TrimSpace(v) == "" {
		v = DefaultRange
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(v))
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%s=%q is not an IPv4 range: give one in CIDR form, such as %s", EnvRange, v, DefaultRange)
	}
	if p.Bits() > Bits {
		return netip.Prefix{}, fmt.Errorf("%s=%q is smaller than one network (/%d): give a range of /%d or larger, such as %s", EnvRange, v, Bits, Bits, DefaultRange)
	}
	return p.Masked(), nil
}

// Count is how many subnets of bits the range holds.
func Count(rng netip.Prefix, bits int) int {
	if bits < rng.Bits() {
		return 0
	}
	return 1 << (bits - rng.Bits())
}

// ExhaustedError says the range has no free subnet left.
type ExhaustedError struct {
	Range netip.Prefix
	Bits  int
}

func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("no free /%d subnet left in wpstack's range %s (it holds %d networks, all taken by this engine's networks): set %s to a larger free range (such as 10.214.0.0/16) or remove networks no longer used (docker network ls; wpstack destroy SITE)",
		e.Bits, e.Range, Count(e.Range, e.Bits), EnvRange)
}

// Next returns the first subnet of bits in rng that overlaps none of used
// (the subnets of every network on the engine, wpstack's or not).
func Next(rng netip.Prefix, bits int, used []netip.Prefix) (netip.Prefix, error) {
	rng = rng.Masked()
	n := Count(rng, bits)
	step := uint32(1) << (32 - bits)
	base := be(rng.Addr())
	for i := 0; i < n; i++ {
		cand := netip.PrefixFrom(addr(base+uint32(i)*step), bits)
		if !overlapsAny(cand, used) {
			return cand, nil
		}
	}
	return netip.Prefix{}, &ExhaustedError{Range: rng, Bits: bits}
}

func overlapsAny(p netip.Prefix, used []netip.Prefix) bool {
	for _, u := range used {
		if u.IsValid() && p.Overlaps(u) {
			return true
		}
	}
	return false
}

func be(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
