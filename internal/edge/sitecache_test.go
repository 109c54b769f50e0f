package edge

import (
	"strings"
	"testing"
)

func TestCacheSite(t *testing.T) {
	for _, tt := range []struct {
		bytes      int64
		size, keys string
	}{{1 << 20, "1m", "1m"}, {32 << 20, "32m", "1m"}, {128 << 20, "128m", "2m"}, {1 << 30, "1g", "16m"}} {
		var s Site
		s.CacheSite(tt.bytes, tt.size)
		if s.CacheSize != tt.size || s.CacheKeys != tt.keys {
			t.Errorf("CacheSite(%d) = %s/%s, want %s/%s", tt.bytes, s.CacheSize, s.CacheKeys, tt.size, tt.keys)
		}
	}
}

func TestCheckCacheRoom(t *testing.T) {
	sizes := map[string]int64{"a": 3 << 30, "b": 2 << 30}
	if err := checkCacheRoom(sizes, 10<<30); err != nil {
		t.Errorf("5 GiB of caches in half of 10 GiB: %v", err)
	}
	if err := checkCacheRoom(sizes, 8<<30); err == nil || !strings.Contains(err.Error(), "add up to 5120 MiB") || !strings.Contains(err.Error(), "--cache-size") {
		t.Errorf("5 GiB of caches in half of 8 GiB: %v", err)
	}
	if err := checkCacheRoom(sizes, 0); err != nil {
		t.Errorf("unknown memory: %v", err)
	}
}

func TestRenderRedirectChecked(t *testing.T) {
	s := Site{Name: "a", Names: []string{"a.test", "www.a.test"}, Backend: Backend("a-web-1"), Host: "a.test",
		Redirects: []Redirect{{From: "www.a.test", To: "b.test"}}}
	if _, err := Render(Config{Sites: []Site{s}}); err == nil || !strings.Contains(err.Error(), "both must be names it serves") {
		t.Errorf("a redirect to a name the site does not serve: %v", err)
	}
	s.Redirects = []Redirect{{From: "www.a.test", To: "a.test"}}
	conf, err := Render(Config{Sites: []Site{s}})
	if err != nil {
		t.Fatal(err)
	}
	// The redirected name has a server of its own; the site's serves the rest.
	for _, want := range []string{"server_name www.a.test;", "server_name a.test;", "return 301 https://a.test$request_uri;", `if ($host = "www.a.test")`} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("the configuration lacks %q", want)
		}
	}
}
