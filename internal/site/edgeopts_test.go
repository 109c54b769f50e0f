package site

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCacheSize(t *testing.T) {
	for _, tt := range []struct {
		in    string
		bytes int64
		nginx string
		err   string
	}{
		{"32m", 32 << 20, "32m", ""},
		{"1g", 1 << 30, "1g", ""},
		{"512M", 512 << 20, "512m", ""},
		{"16g", 16 << 30, "16g", ""},
		{"17g", 0, "", "at most 16g"},
		{"0m", 0, "", "invalid --cache-size"},
		{"64", 0, "", "Nm (MiB) or Ng"},
		{"64k", 0, "", "invalid --cache-size"},
		{"1.5g", 0, "", "invalid --cache-size"},
		{"", 0, "", "invalid --cache-size"},
		{"64m;", 0, "", "invalid --cache-size"},
	} {
		b, n, err := ParseCacheSize(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseCacheSize(%q) = %v, want an error with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || b != tt.bytes || n != tt.nginx {
			t.Errorf("ParseCacheSize(%q) = %d, %q, %v; want %d, %q", tt.in, b, n, err, tt.bytes, tt.nginx)
		}
	}
}

func TestWWWRedirect(t *testing.T) {
	names := []string{"shop.test", "www.shop.test", "blog.test", "www.other.test"}
	if got := WWWRedirects(names, WWWToBare); !reflect.DeepEqual(got, map[string]string{"www.shop.test": "shop.test"}) {
		t.Errorf("to-bare: %v", got)
	}
	if got := WWWRedirects(names, WWWToWWW); !reflect.DeepEqual(got, map[string]string{"shop.test": "www.shop.test"}) {
		t.Errorf("to-www: %v", got)
	}
	if got := WWWRedirects(names, WWWOff); got != nil {
		t.Errorf("off: %v", got)
	}
	for _, tt := range []struct {
		domains []string
		mode    string
		want    string // "" = valid
	}{
		{[]string{"shop.test", "www.shop.test"}, WWWToBare, ""},
		{[]string{"www.shop.test", "shop.test"}, WWWToWWW, ""},
		{[]string{"shop.test", "www.shop.test"}, "", ""}, // off by default
		{[]string{"shop.test"}, WWWToBare, "add --domain www.shop.test"},
		{[]string{"www.shop.test", "shop.test"}, WWWToBare, "give --domain shop.test --domain www.shop.test"},
		{[]string{"shop.test", "www.shop.test"}, WWWToWWW, "give --domain www.shop.test --domain shop.test"},
		{[]string{"www.shop.test"}, WWWToWWW, "add --domain shop.test"},
		{[]string{"shop.test", "www.shop.test"}, "yes", "invalid --www-redirect"},
	} {
		s := Spec{Name: "shop", Domains: tt.domains, WWWRedirect: tt.mode}
		s.ApplyDefaults()
		err := s.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%v %q: Validate = %v, want %q", tt.domains, tt.mode, err, tt.want)
		}
	}
	s := Spec{Name: "dev", Port: 8081, WWWRedirect: WWWToBare}
	s.ApplyDefaults()
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "need at least one --domain") {
		t.Errorf("--www-redirect without --domain: %v", err)
	}
}
