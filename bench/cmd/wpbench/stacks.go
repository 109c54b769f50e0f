package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// stack is one way of running a WordPress site: wpstack, or the baseline.
type stack interface {
	name() string
	// create makes a new site and returns once its home page serves.
	create(ctx context.Context, site string, port int, title string) error
	stop(ctx context.Context, site string) error
	// start brings a stopped site back.
	start(ctx context.Context, site string) error
	destroy(ctx context.Context, site string) error
	web(site string) string
	// containers maps each role (web, db, allinone) to its container.
	containers(site string) map[string]string
	adminPassword(site string) string
}

const adminUser = "admin"

// wpstackStack drives the wpstack binary, as a user would.
type wpstackStack struct {
	bin, home string
	layout    string   // "" (split) or "allinone"
	stack     string   // wpstack up --stack: trixie or bookworm
	label     string   // name in the report when it is not the run's own stack ("wpstack-bookworm")
	env       []string // extra environment (a separate cache for cold runs)
	passwords map[string]string
}

func (w *wpstackStack) name() string {
	if w.label != "" {
		return w.label
	}
	if w.layout == "allinone" {
		return "wpstack-allinone"
	}
	return "wpstack"
}

func (w *wpstackStack) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, w.bin, append([]string{"--progress", "quiet"}, args...)...)
	cmd.Env = append(append(os.Environ(), "WPSTACK_HOME="+w.home), w.env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("wpstack %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (w *wpstackStack) create(ctx context.Context, site string, port int, title string) error {
	return w.createWith(ctx, site, title, "--port", fmt.Sprint(port))
}

// createWith runs `wpstack up` with more flags (a port, or domains) and
// keeps the admin password it made.
func (w *wpstackStack) createWith(ctx context.Context, site, title string, extra ...string) error {
	args := append([]string{"up", site, "--title", title, "--wordpress-source", "debian", "--json"}, extra...)
	if w.layout != "" {
		args = append(args, "--layout", w.layout)
	}
	if w.stack != "" {
		args = append(args, "--stack", w.stack)
	}
	out, err := w.run(ctx, args...)
	if err != nil {
		return err
	}
	var res struct {
		File string `json:"admin_password_file"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("read `wpstack up --json` of %s: %w", site, err)
	}
	pw, err := os.ReadFile(res.File)
	if err != nil {
		return fmt.Errorf("admin password of %s: %w", site, err)
	}
	if w.passwords == nil {
		w.passwords = map[string]string{}
	}
	w.passwords[site] = strings.TrimSpace(string(pw))
	return nil
}

func (w *wpstackStack) stop(ctx context.Context, site string) error {
	_, err := w.run(ctx, "down", site)
	return err
}

func (w *wpstackStack) start(ctx context.Context, site string) error {
	_, err := w.run(ctx, "up", site)
	return err
}

func (w *wpstackStack) destroy(ctx context.Context, site string) error {
	_, err := w.run(ctx, "destroy", site, "--yes")
	return err
}

func (w *wpstackStack) web(site string) string {
	if w.layout == "allinone" {
		return site + "-allinone-1"
	}
	return site + "-web-1"
}

func (w *wpstackStack) containers(site string) map[string]string {
	if w.layout == "allinone" {
		return map[string]string{"allinone": site + "-allinone-1"}
	}
	return map[string]string{"web": site + "-web-1", "db": site + "-db-1"}
}
func (w *wpstackStack) adminPassword(site string) string { return w.passwords[site] }

// baselineStack is the course's step 7: a compose file with the wordpress
// and database images, `docker-compose up -d`, then the browser wizard.
type baselineStack struct {
	dir        string // one folder per site holding its docker-compose.yml
	webImage   string
	dbImage    string
	passwordOf func(site string) string
}

const baselineCompose = `version: "3"
services:
  wordpress:
    image: %s
    restart: always
    ports:
      - "127.0.0.1:%d:80"
    environment:
      WORDPRESS_DB_HOST: db
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_PASSWORD: %s
      WORDPRESS_DB_NAME: wordpress
    volumes:
      - html:/var/www/html
  db:
    image: %s
    restart: always
    environment:
      MARIADB_DATABASE: wordpress
      MARIADB_USER: wordpress
      MARIADB_PASSWORD: %s
      MARIADB_ROOT_PASSWORD: %s
    volumes:
      - db:/var/lib/mysql
volumes:
  html: {}
  db: {}
`

func (b *baselineStack) name() string { return "baseline" }

func (b *baselineStack) compose(ctx context.Context, site string, args ...string) error {
	cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", site, "--no-ansi"}, args...)...)
	cmd.Dir = filepath.Join(b.dir, site)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker-compose -p %s %s: %w\n%s", site, strings.Join(args, " "), err, out)
	}
	return nil
}

func (b *baselineStack) create(ctx context.Context, site string, port int, title string) error {
	d := filepath.Join(b.dir, site)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return fmt.Errorf("site folder for %s: %w", site, err)
	}
	pw := b.passwordOf(site)
	y := fmt.Sprintf(baselineCompose, b.webImage, port, pw, b.dbImage, pw, pw)
	if err := os.WriteFile(filepath.Join(d, "docker-compose.yml"), []byte(y), 0o600); err != nil {
		return fmt.Errorf("compose file for %s: %w", site, err)
	}
	if err := b.compose(ctx, site, "up", "-d"); err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := wizardInstall(ctx, base, title, adminUser, b.adminPassword(site)); err != nil {
		return err
	}
	return poll(ctx, time.Minute, "home page of "+site, func() bool { return homeServes(ctx, newClient(), base, title) })
}

func (b *baselineStack) stop(ctx context.Context, site string) error {
	return b.compose(ctx, site, "stop")
}

func (b *baselineStack) start(ctx context.Context, site string) error {
	return b.compose(ctx, site, "up", "-d")
}

func (b *baselineStack) destroy(ctx context.Context, site string) error {
	return b.compose(ctx, site, "down", "-v")
}

func (b *baselineStack) web(site string) string { return site + "_wordpress_1" }
func (b *baselineStack) containers(site string) map[string]string {
	return map[string]string{"web": site + "_wordpress_1", "db": site + "_db_1"}
}
func (b *baselineStack) adminPassword(site string) string { return "pw-" + b.passwordOf(site) }
