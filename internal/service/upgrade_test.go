package service

import (
	"strings"
	"testing"

	"github.com/wpstack/wpstack/internal/images"
	"github.com/wpstack/wpstack/internal/site"
	"github.com/wpstack/wpstack/internal/target"
)

func TestRunningImages(t *testing.T) {
	split := site.Spec{Name: "blog", Layout: site.LayoutSplit}
	aio := site.Spec{Name: "blog", Layout: site.LayoutAllInOne}
	svc := func(name, image string) target.ServiceStatus { return target.ServiceStatus{Name: name, Image: image} }
	for _, tc := range []struct {
		name     string
		spec     site.Spec
		services []target.ServiceStatus
		want     images.Set
		err      string
	}{
		{"split", split, []target.ServiceStatus{svc("web", "w:1"), svc("db", "d:1"), svc("backup", "d:1")}, images.Set{Web: "w:1", DB: "d:1"}, ""},
		{"split without its db", split, []target.ServiceStatus{svc("web", "w:1")}, images.Set{}, "cannot tell which images"},
		{"all-in-one", aio, []target.ServiceStatus{svc("allinone", "a:1")}, images.Set{AllInOne: "a:1"}, ""},
		{"all-in-one without it", aio, []target.ServiceStatus{svc("web", "w:1")}, images.Set{}, "allinone container"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runningImages(target.Status{Services: tc.services}, tc.spec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Web != tc.want.Web || got.DB != tc.want.DB || got.AllInOne != tc.want.AllInOne {
				t.Errorf("got web %q db %q allinone %q, want %+v", got.Web, got.DB, got.AllInOne, tc.want)
			}
			if s := shellImage(tc.spec, got); s == "" {
				t.Errorf("no image to copy the data with")
			}
		})
	}
}

func TestServiceImage(t *testing.T) {
	img := target.Images{Set: images.Set{Web: "w", DB: "d", AllInOne: "a"}}
	for _, tc := range []struct {
		service, want string
		ok            bool
	}{
		{site.ServiceWeb, "w", true},
		{site.ServiceDB, "d", true},
		{site.ServiceBackup, "d", true},
		{site.ServiceAllInOne, "a", true},
		{"edge", "", false},
	} {
		got, ok := serviceImage(tc.service, img)
		if got != tc.want || ok != tc.ok {
			t.Errorf("serviceImage(%q) = %q, %v; want %q, %v", tc.service, got, ok, tc.want, tc.ok)
		}
	}
}
