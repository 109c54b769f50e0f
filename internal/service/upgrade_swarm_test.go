package service

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

func TestSameImage(t *testing.T) {
	const digest = "@sha256:0123456789abcdef"
	tests := []struct {
		name, running, want, registry string
		same                          bool
	}{
		{"pinned by swarm under the registry", "reg:5000/wpstack/wordpress:abc" + digest, "wpstack/wordpress:abc", "reg:5000", true},
		{"as given", "reg:5000/wpstack/wordpress:abc", "wpstack/wordpress:abc", "reg:5000", true},
		{"already renamed", "reg:5000/wpstack/wordpress:abc" + digest, "reg:5000/wpstack/wordpress:abc", "reg:5000", true},
		{"no registry", "wpstack/wordpress:abc", "wpstack/wordpress:abc", "", true},
		{"the old tag", "reg:5000/wpstack/wordpress:old" + digest, "wpstack/wordpress:abc", "reg:5000", false},
		{"a longer tag is another image", "reg:5000/wpstack/wordpress:abcd", "wpstack/wordpress:abc", "reg:5000", false},
		{"another registry", "other:5000/wpstack/wordpress:abc", "wpstack/wordpress:abc", "reg:5000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameImage(tt.running, tt.want, tt.registry); got != tt.same {
				t.Fatalf("sameImage(%q, %q, %q) = %v, want %v", tt.running, tt.want, tt.registry, got, tt.same)
			}
		})
	}
}

func TestSwarmRunningImages(t *testing.T) {
	spec := site.Spec{Name: "blog"}
	svcs := func(skip string) []target.ServiceStatus {
		var out []target.ServiceStatus
		for _, sv := range []target.ServiceStatus{
			{Name: "cron", Image: "r/web:1@sha256:a"},
			{Name: "db", Image: "r/db:1@sha256:b"},
			{Name: "edge", Image: "r/edge:1@sha256:c"},
			{Name: "web", Image: "r/web:1@sha256:a"},
		} {
			if sv.Name != skip {
				out = append(out, sv)
			}
		}
		return out
	}
	img, err := swarmRunningImages(target.Status{Services: svcs(""), WordPressVersion: "6.1.9"}, spec)
	if err != nil {
		t.Fatal(err)
	}
	if img.Web != "r/web:1@sha256:a" || img.DB != "r/db:1@sha256:b" || img.Edge != "r/edge:1@sha256:c" || img.WordPressVersion != "6.1.9" {
		t.Fatalf("images %+v: want the exact references that run", img)
	}
	for _, missing := range []string{"web", "db", "edge"} {
		if _, err := swarmRunningImages(target.Status{Services: svcs(missing)}, spec); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("without %s: err %v, want a refusal that changed nothing", missing, err)
		}
	}
}

func TestCheckSwarmServices(t *testing.T) {
	img := target.Images{}
	img.Web, img.DB = "wpstack/wordpress:new", "wpstack/mariadb:new"
	const reg = "reg:5000"
	svc := func(name, image string, running, desired int) target.ServiceStatus {
		return target.ServiceStatus{Name: name, Image: image, Running: running, Desired: desired}
	}
	good := func() []target.ServiceStatus {
		return []target.ServiceStatus{
			svc("cron", reg+"/wpstack/wordpress:new@sha256:1", 1, 1),
			svc("db", reg+"/wpstack/mariadb:new@sha256:2", 1, 1),
			svc("edge", reg+"/wpstack/edge:x@sha256:3", 3, 3),
			svc("web", reg+"/wpstack/wordpress:new@sha256:1", 2, 2),
		}
	}
	tests := []struct {
		name    string
		change  func([]target.ServiceStatus) []target.ServiceStatus
		wantErr string
	}{
		{"all new and running", func(s []target.ServiceStatus) []target.ServiceStatus { return s }, ""},
		{"db on the old image", func(s []target.ServiceStatus) []target.ServiceStatus {
			s[1].Image = reg + "/wpstack/mariadb:old@sha256:9"
			return s
		}, "service db runs"},
		{"web rolled back by swarm", func(s []target.ServiceStatus) []target.ServiceStatus {
			s[3].Image = reg + "/wpstack/wordpress:old@sha256:8"
			return s
		}, "service web runs"},
		{"a web task down", func(s []target.ServiceStatus) []target.ServiceStatus {
			s[3].Running = 1
			return s
		}, "1 of its 2 tasks"},
		{"an edge task down", func(s []target.ServiceStatus) []target.ServiceStatus {
			s[2].Running = 2
			return s
		}, "service edge has 2 of its 3"},
		{"no cron", func(s []target.ServiceStatus) []target.ServiceStatus { return s[1:] }, "2 of its web, cron and db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSwarmServices(tt.change(good()), img, reg)
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
