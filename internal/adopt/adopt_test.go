package adopt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoName(t *testing.T) {
	for ref, want := range map[string][2]string{
		"wordpress":                            {"wordpress", ""},
		"wordpress:6-apache":                   {"wordpress", "6-apache"},
		"docker.io/library/wordpress:latest":   {"wordpress", "latest"},
		"registry:5000/team/mariadb:10.11":     {"mariadb", "10.11"},
		"mysql@sha256:0123":                    {"mysql", ""},
		"wordpress:cli":                        {"wordpress", "cli"},
		"localhost:5000/wordpress":             {"wordpress", ""},
		"ghcr.io/someone/wordpress-fpm:latest": {"wordpress-fpm", "latest"},
	} {
		if n, tag := repoName(ref); n != want[0] || tag != want[1] {
			t.Errorf("repoName(%q) = %q, %q; want %q, %q", ref, n, tag, want[0], want[1])
		}
	}
}

func TestRecognise(t *testing.T) {
	wp := Service{Name: "wordpress", Image: "wordpress", Env: map[string]string{"WORDPRESS_DB_PASSWORD": "example"}}
	db := Service{Name: "mysql", Image: "mysql:5.7", Env: map[string]string{}}
	cases := []struct {
		name string
		svcs []Service
		want string // "" = recognised
	}{
		{"course step 7", []Service{wp, db}, ""},
		{"mariadb", []Service{wp, {Name: "mysql", Image: "mariadb:10.11"}}, ""},
		{"no wordpress", []Service{{Name: "web", Image: "nginx"}, db}, "no service of the official wordpress image (recognised database: mysql; not recognised: web (nginx))"},
		{"wp-cli only", []Service{{Name: "cli", Image: "wordpress:cli"}, db}, "no service of the official wordpress image"},
		{"two sites", []Service{wp, {Name: "wp2", Image: "wordpress"}, db}, "several WordPress services"},
		{"no database", []Service{wp}, "no mysql or mariadb service"},
		{"two databases", []Service{wp, db, {Name: "db2", Image: "mariadb"}}, "several database services"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := Stack{Project: "p"}
			err := st.recognise(c.svcs)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		user string
		want string
	}{
		{"official defaults", map[string]string{"WORDPRESS_DB_PASSWORD": "example"}, "root", ""},
		{"own user", map[string]string{"WORDPRESS_DB_HOST": "mysql:3306", "WORDPRESS_DB_USER": "wp", "WORDPRESS_DB_NAME": "site"}, "wp", ""},
		{"outside database", map[string]string{"WORDPRESS_DB_HOST": "db.example.com"}, "", "not the stack's"},
		{"docker secrets", map[string]string{"WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/db"}, "", "not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := Stack{Web: Service{Name: "wordpress", Env: c.env}, DB: Service{Name: "mysql", Container: "p_mysql_1"}}
			err := st.credentials()
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v, want %q", err, c.want)
				}
				return
			}
			if err != nil || st.DBUser != c.user {
				t.Fatalf("got %v, user %q; want user %q", err, st.DBUser, c.user)
			}
		})
	}
}

// The course's step 8 file loads, with its services' images and env.
func TestLoadFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My Blog")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "test", "e2e", "testdata", "compose", "step8.yml"))
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := loadFile(context.Background(), Options{File: f})
	if err != nil {
		t.Fatal(err)
	}
	if p.name != "myblog" {
		t.Errorf("project name %q, want docker-compose's myblog", p.name)
	}
	st := Stack{Project: p.name}
	if err := st.recognise(p.services); err != nil {
		t.Fatal(err)
	}
	if st.Web.Name != "wordpress" || st.DB.Name != "mysql" || st.Web.Env["WORDPRESS_DB_PASSWORD"] != "example" {
		t.Errorf("recognised %+v", st)
	}
	if p, err := loadFile(context.Background(), Options{File: f, Project: "other"}); err != nil || p.name != "other" {
		t.Errorf("--project: %q, %v", p.name, err)
	}
}
