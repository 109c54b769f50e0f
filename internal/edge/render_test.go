package edge

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/images"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderGolden(t *testing.T) {
	two := Config{HTTPSPort: 443, Sites: []Site{
		{Name: "shop", Names: []string{"shop.test", "www.shop.test"}, Backend: Backend("shop-web-1"), Host: "shop.test", HSTS: true, Cache: true, PurgeToken: "feedc0de"},
		{Name: "blog", Names: []string{"blog.test"}, Backend: Backend("blog-web-1"), Host: "blog.test", LoginRate: "5r/s", LoginBurst: 4, LoginRetryAfter: 1},
	}}
	shop := two.Sites[0]
	shop.Redirects = Redirects(map[string]string{"www.shop.test": "shop.test"})
	shop.CacheSite(256<<20, "256m")
	www := Config{HTTPSPort: 443, Sites: []Site{shop}}
	port := Config{HTTPSPort: 8443, Sites: []Site{{Name: "blog", Names: []string{"blog.test"}, Backend: Backend("blog-web-1"), Host: "blog.test:8443", PurgeToken: "0123abcd"}}}
	acme := Config{HTTPSPort: 443, Sites: []Site{
		{Name: "blog", Names: []string{"blog.example.com"}, Backend: Backend("blog-web-1"), Host: "blog.example.com", Cache: true, PurgeToken: "0123abcd", ACME: true},
		{Name: "news", Names: []string{"news.example.com", "www.news.example.com"}, ACME: true, Pending: true},
	}}
	for _, tt := range []struct {
		name string
		cfg  Config
	}{{"empty", Config{}}, {"two-sites", two}, {"https-port", port}, {"www-redirect", www}, {"acme", acme}} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.name+".golden.conf")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/edge -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("render differs from %s (run with -update if intended):\n%s", golden, got)
			}
		})
	}
}

func TestRenderOrderAndSafety(t *testing.T) {
	a := Site{Name: "a", Names: []string{"a.test"}, Backend: Backend("a-web-1"), Host: "a.test"}
	b := Site{Name: "b", Names: []string{"b.test"}, Backend: Backend("b-web-1"), Host: "b.test"}
	x, _ := Render(Config{Sites: []Site{a, b}})
	y, _ := Render(Config{Sites: []Site{b, a}})
	if !bytes.Equal(x, y) {
		t.Error("the order of the sites changes the rendered configuration")
	}
	b.Names = []string{"a.test"}
	if _, err := Render(Config{Sites: []Site{a, b}}); err == nil || !strings.Contains(err.Error(), `"a.test" is claimed by sites "a" and "b"`) {
		t.Errorf("two sites with one name: %v", err)
	}
	if _, err := Render(Config{Sites: []Site{{Name: "c"}}}); err == nil {
		t.Error("a site without names rendered")
	}
	// Every forwarded header a client could spoof is set by the edge.
	for _, h := range []string{"X-Forwarded-Proto https", "X-Forwarded-For $remote_addr", `X-Forwarded-Host "a.test"`, `Forwarded ""`, `Host "a.test"`} {
		if !bytes.Contains(x, []byte("proxy_set_header "+h+";")) {
			t.Errorf("the edge does not set %s", h)
		}
	}
}

func TestLoginLimit(t *testing.T) {
	for _, tt := range []struct {
		n     int
		unit  string
		rate  string
		burst int
		retry int
	}{{10, "m", "10r/m", 9, 6}, {7, "m", "7r/m", 6, 9}, {120, "m", "120r/m", 119, 1}, {1, "m", "1r/m", 0, 60}, {5, "s", "5r/s", 4, 1}} {
		rate, burst, retry := LoginLimit(tt.n, tt.unit)
		if rate != tt.rate || burst != tt.burst || retry != tt.retry {
			t.Errorf("LoginLimit(%d, %q) = %q, %d, %d; want %q, %d, %d", tt.n, tt.unit, rate, burst, retry, tt.rate, tt.burst, tt.retry)
		}
	}
	// Every site gets a brake, the default when none is given, and the 429
	// says when to come back.
	conf, err := Render(Config{Sites: []Site{{Name: "a", Names: []string{"a.test"}, Backend: Backend("a-web-1"), Host: "a.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"limit_req_zone $wpstack_login_addr zone=wpstack_login_a:1m rate=10r/m;", "limit_req zone=wpstack_login_a burst=9 nodelay;", "add_header Retry-After 6 always;", "limit_req_status 429;"} {
		if !bytes.Contains(conf, []byte(want)) {
			t.Errorf("the rendered configuration lacks %q", want)
		}
	}
}

// The edge image checks at build time the configuration it starts with
// before wpstack mounts its own: it must be the one Render makes for no site.
func TestEmptyConfIsRendered(t *testing.T) {
	files, err := images.Recipe(images.RoleEdgeNginx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(Config{})
	for _, f := range files {
		if f.Name == "empty.conf" {
			if !bytes.Equal(f.Data, want) {
				t.Errorf("recipes/edge-nginx/empty.conf differs from Render(Config{}); copy testdata/empty.golden.conf there")
			}
			return
		}
	}
	t.Error("recipes/edge-nginx has no empty.conf")
}

// TestRenderBodyMax: --upload-max sets the body limit of that site's HTTPS
// server alone; the others keep the edge's default.
func TestRenderBodyMax(t *testing.T) {
	conf, err := Render(Config{Sites: []Site{
		{Name: "big", Names: []string{"big.test"}, Backend: Backend("big-web-1"), Host: "big.test", BodyMax: "256m"},
		{Name: "small", Names: []string{"small.test"}, Backend: Backend("small-web-1"), Host: "small.test"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(conf)
	big := s[strings.Index(s, "# site big"):strings.Index(s, "# site small")]
	if !strings.Contains(big, "client_max_body_size 256m;") {
		t.Errorf("site big has no body limit of its own:\n%s", big)
	}
	if n := strings.Count(s, "client_max_body_size"); n != 2 {
		t.Errorf("client_max_body_size appears %d times, want the default and big's", n)
	}
}
