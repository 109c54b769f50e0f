package site

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"blog", true},
		{"shop-2", true},
		{"ab", true},
		{"a", false},
		{"", false},
		{"Blog", false},
		{"my_blog", false},
		{"-blog", false},
		{"blog-", false},
		{"2blog", false},
		{"my--blog", false},
		{strings.Repeat("a", 32), true},
		{strings.Repeat("a", 33), false},
		{"../etc", false},
		{"list", false},
		{"verify", false},
	}
	for _, tt := range tests {
		err := ValidateName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestDefaults(t *testing.T) {
	s := Spec{Name: "blog"}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaulted spec invalid: %v", err)
	}
	want := Spec{Name: "blog", Layout: LayoutSplit, Target: TargetLocal, Port: 8080, Host: "localhost",
		Title: "blog", AdminUser: "admin", AdminEmail: "admin@example.com"}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("defaults = %+v, want %+v", s, want)
	}
	if s.URL() != "http://localhost:8080/" || s.HostHeader() != "localhost:8080" {
		t.Errorf("URL = %s, host header = %s", s.URL(), s.HostHeader())
	}
	s.Port = 80
	if s.URL() != "http://localhost/" || s.HostHeader() != "localhost" {
		t.Errorf("port 80: URL = %s, host header = %s", s.URL(), s.HostHeader())
	}
	custom := Spec{Name: "shop", Host: "shop.example.org", Port: 9000, Title: "Shop"}
	custom.ApplyDefaults()
	if custom.AdminEmail != "admin@shop.example.org" || custom.Title != "Shop" || custom.Port != 9000 {
		t.Errorf("defaults overwrote set fields or picked a bad e-mail: %+v", custom)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		mutate func(*Spec)
		want   string // substring of the error; "" = valid
	}{
		{func(s *Spec) {}, ""},
		{func(s *Spec) { s.Port = 70000 }, "--port"},
		{func(s *Spec) { s.Port = -1 }, "--port"},
		{func(s *Spec) { s.Bind = "0" }, "--bind"},
		{func(s *Spec) { s.Bind = "localhost" }, "--bind"},
		{func(s *Spec) { s.Layout = "cluster" }, "--layout"},
		{func(s *Spec) { s.Layout = LayoutAllInOne }, ""},
		{func(s *Spec) { s.DataDir = "relative/dir" }, "--data-dir"},
		{func(s *Spec) { s.DataDir = "/srv/wp-blog" }, ""},
		{func(s *Spec) { s.Layout = LayoutAllInOne; s.Target = TargetSwarm; s.Replicas = 1 }, "--layout allinone"},
		{func(s *Spec) { s.Target = "k8s" }, "--target"},
		{func(s *Spec) { s.Replicas = 2 }, "--target swarm"},
		{func(s *Spec) {
			s.Target = TargetSwarm
			s.Replicas = 2
			s.Registry = "r.example:5000"
			s.SharedStorage = "/mnt/s"
		}, ""},
		{func(s *Spec) { s.Target = TargetSwarm; s.Replicas = 0 }, "--replicas"},
		{func(s *Spec) { s.Target = TargetSwarm; s.Replicas = 1; s.Registry = "bad reg" }, "--registry"},
		{func(s *Spec) { s.Target = TargetSwarm; s.Replicas = 1; s.SharedStorage = "rel" }, "--shared-storage"},
		{func(s *Spec) { s.Host = "bad host" }, "--host"},
		{func(s *Spec) { s.Title = "  " }, "--title"},
		{func(s *Spec) { s.AdminUser = "a b" }, "--admin-user"},
		{func(s *Spec) { s.AdminEmail = "nope" }, "--admin-email"},
		{func(s *Spec) { s.AdminEmail = "me@localhost" }, "--admin-email"},
		{func(s *Spec) { s.AdminEmail = "Me <me@example.com>" }, "--admin-email"},
	}
	for i, tt := range tests {
		s := Spec{Name: "blog"}
		s.ApplyDefaults()
		tt.mutate(&s)
		err := s.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("case %d: unexpected error %v", i, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("case %d: error %v, want one mentioning %q", i, err, tt.want)
		}
	}
}

func TestNamesDoNotCollide(t *testing.T) {
	a, b := Spec{Name: "blog"}, Spec{Name: "blog-2"}
	for _, svc := range []string{ServiceWeb, ServiceDB} {
		if a.ContainerName(svc) == b.ContainerName(svc) {
			t.Errorf("container names collide for %s", svc)
		}
	}
	if a.NetworkName() == b.NetworkName() || a.VolumeName("db") == b.VolumeName("db") {
		t.Error("network or volume names collide")
	}
	if a.ContainerName(ServiceWeb) != "blog-web-1" || a.VolumeName("db") != "blog_db" || a.NetworkName() != "blog_default" {
		t.Errorf("names do not follow compose's: %s %s %s", a.ContainerName(ServiceWeb), a.VolumeName("db"), a.NetworkName())
	}
	if a.Labels(ServiceWeb)[LabelSite] != "blog" || a.Labels(ServiceWeb)[LabelService] != ServiceWeb {
		t.Errorf("labels = %v", a.Labels(ServiceWeb))
	}
}
