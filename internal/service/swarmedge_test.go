package service

import (
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

func TestPortsClash(t *testing.T) {
	mk := func(target string, http, https int) site.Spec {
		return site.Spec{Name: "o", Target: target, Domains: []string{"o.test"}, HTTPPort: http, HTTPSPort: https}
	}
	local, swarm := site.TargetLocal, site.TargetSwarm
	for _, tt := range []struct {
		why   string
		a, b  site.Spec
		clash bool
	}{
		{"one engine, same ports: one edge", mk(local, 80, 443), mk(local, 80, 443), false},
		{"one engine, other ports", mk(local, 8080, 443), mk(local, 80, 443), true},
		{"two swarm sites, same ports", mk(swarm, 80, 443), mk(swarm, 80, 443), true},
		{"two swarm sites, one port shared", mk(swarm, 8080, 443), mk(swarm, 80, 443), true},
		{"two swarm sites, crossed ports", mk(swarm, 443, 8443), mk(swarm, 80, 443), true},
		{"two swarm sites, other ports", mk(swarm, 8080, 8443), mk(swarm, 80, 443), false},
		{"swarm and one engine", mk(swarm, 80, 443), mk(local, 8080, 8443), false},
	} {
		if got, why := portsClash(tt.a, tt.b); got != tt.clash {
			t.Errorf("%s: clash %v (%s), want %v", tt.why, got, why, tt.clash)
		}
	}
}
