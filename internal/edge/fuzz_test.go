package edge

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
)

// FuzzRender: whatever names pass the spec's validation, the rendered
// nginx.conf carries them as plain tokens, so no name can close a
// directive or a block and add its own configuration.
func FuzzRender(f *testing.F) {
	for _, seed := range [][2]string{
		{"blog", "blog.example.com www.blog.example.com"},
		{"shop", "shop.test"},
		{"a", "x.y;return 200 pwned"},
		{"b", "evil.test}\nserver{listen 80"},
		{"c", "c.test $host"},
		{"d", "xn--bcher-kva.example"},
	} {
		f.Add(seed[0], seed[1], true, false)
	}
	f.Fuzz(func(t *testing.T, name, domains string, hsts, cache bool) {
		if site.ValidateName(name) != nil {
			return
		}
		names := strings.Fields(domains)
		if len(names) == 0 || len(names) > site.MaxDomains {
			return
		}
		for _, d := range names {
			if site.ValidateDomain(d) != nil {
				return
			}
		}
		cfg := Config{HTTPSPort: 443, Sites: []Site{{Name: name, Names: names, Backend: Backend(name + "-web-1"), Host: names[0], HSTS: hsts, Cache: cache}}}
		out, err := Render(cfg)
		if err != nil {
			if strings.Contains(err.Error(), "claimed by") {
				return // the same name twice in one site
			}
			t.Fatalf("Render(%+v): %v", cfg, err)
		}
		empty, err := Render(Config{HTTPSPort: 443})
		if err != nil {
			t.Fatal(err)
		}
		// A site adds server blocks; the braces stay balanced whatever its names.
		if strings.Count(string(out), "{") != strings.Count(string(out), "}") {
			t.Fatalf("unbalanced braces for names %q", names)
		}
		if strings.Count(string(out), "{") <= strings.Count(string(empty), "{") {
			t.Fatalf("site %q rendered no server block", name)
		}
		for _, d := range names {
			if strings.ContainsAny(d, ";{}$\"' \t\n\\#") {
				t.Fatalf("validated domain %q holds nginx syntax", d)
			}
		}
	})
}
