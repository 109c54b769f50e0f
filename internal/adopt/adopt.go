// Package adopt recognises a compose deployment of the official wordpress
// image with mysql or mariadb (the course's step 7 and step 8 stacks:
// named or anonymous volumes, or host folders) and reads it for an import:
// the database dumped through its running database container, wp-content
// copied out of the web container. The deployment itself is never changed;
// a stopped database container is started alone for the dump and stopped
// again.
package adopt

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/wpstack/wpstack/internal/backup/enginesite"
	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/importer"
)

// Compose's labels on the containers it makes (1.x and v2 alike).
const (
	labelProject = "com.docker.compose.project"
	labelService = "com.docker.compose.service"
	webroot      = "/var/www/html"
	dbUser       = "mysql"
)

// Options say which deployment to adopt: a compose file, a project name,
// or both (the name overrides the one the file's folder gives).
type Options struct {
	File    string
	Project string
}

// Service is one service of the deployment as adopt sees it.
type Service struct {
	Name      string            `json:"name"`
	Image     string            `json:"image"`
	Container string            `json:"container,omitempty"`
	Running   bool              `json:"running"`
	Env       map[string]string `json:"-"`
}

// Stack is a recognised deployment.
type Stack struct {
	Project string  `json:"project"`
	File    string  `json:"file,omitempty"`
	Web     Service `json:"web"`
	DB      Service `json:"db"`
	// DBName and DBUser are what the dump runs as; the password is not
	// shown.
	DBName     string `json:"db_name"`
	DBUser     string `json:"db_user"`
	dbPassword string
	// Mounts describe where wp-content and the database live (volume or
	// host folder), for the user's information.
	Mounts []string `json:"mounts"`
}

// Load reads the deployment and recognises it, or says what it recognised
// and what it did not.
func Load(ctx context.Context, cli client.APIClient, opts Options) (Stack, error) {
	var st Stack
	var svcs []Service
	switch {
	case opts.File != "":
		p, err := loadFile(ctx, opts)
		if err != nil {
			return st, err
		}
		st.Project, st.File, svcs = p.name, opts.File, p.services
	case opts.Project != "":
		st.Project = opts.Project
	default:
		return st, errors.New("adopt needs a compose file or --project NAME")
	}
	ctrs, err := containers(ctx, cli, st.Project)
	if err != nil {
		return st, err
	}
	if opts.File == "" {
		svcs = nil
		for name, c := range ctrs {
			svcs = append(svcs, Service{Name: name, Image: c.Image, Env: c.Env})
		}
		if len(svcs) == 0 {
			return st, fmt.Errorf("no container carries the compose project label %q: give the project's name as `docker ps` shows it (the prefix of its containers' names), or its compose file", st.Project)
		}
	}
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	if err := st.recognise(svcs); err != nil {
		return st, err
	}
	for _, s := range []*Service{&st.Web, &st.DB} {
		c, ok := ctrs[s.Name]
		if !ok {
			return st, fmt.Errorf("the service %q of project %q has no container: the stack is not deployed (start it with `docker-compose up -d`, or check the project name with --project)", s.Name, st.Project)
		}
		s.Container, s.Running = c.Name, c.Running
		for k, v := range c.Env {
			if _, set := s.Env[k]; !set {
				s.Env[k] = v // the container's view: the image's defaults, and what compose resolved
			}
		}
		st.Mounts = append(st.Mounts, c.Mounts...)
	}
	if err := st.credentials(); err != nil {
		return st, err
	}
	return st, nil
}

type fileProject struct {
	name     string
	services []Service
}

// versionLine is compose's obsolete top-level version key: compose-go only
// warns about it (on the process's log), so it is dropped before loading.
var versionLine = regexp.MustCompile(`(?m)^version:.*$`)

func loadFile(ctx context.Context, opts Options) (fileProject, error) {
	abs, err := filepath.Abs(opts.File)
	if err != nil {
		return fileProject{}, err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return fileProject{}, fmt.Errorf("read the compose file: %w", err)
	}
	dir := filepath.Dir(abs)
	env := types.Mapping{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	// Compose's .env beside the file, as docker-compose reads it.
	if dot, err := dotenv.GetEnvFromFile(env, []string{filepath.Join(dir, ".env")}); err == nil {
		for k, v := range dot {
			if _, set := env[k]; !set {
				env[k] = v
			}
		}
	}
	name := opts.Project
	if name == "" {
		name = loader.NormalizeProjectName(filepath.Base(dir))
	}
	p, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: abs, Content: versionLine.ReplaceAll(data, nil)}},
		Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.ResolvePaths = true
	})
	if err != nil {
		return fileProject{}, fmt.Errorf("read %s as a compose file: %w", opts.File, err)
	}
	fp := fileProject{name: p.Name}
	for name, s := range p.Services {
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		fp.services = append(fp.services, Service{Name: name, Image: s.Image, Env: env})
	}
	return fp, nil
}

type ctrInfo struct {
	Name, Image string
	Running     bool
	Env         map[string]string
	Mounts      []string
}

// containers returns the project's first container of each service.
func containers(ctx context.Context, cli client.APIClient, project string) (map[string]ctrInfo, error) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", labelProject+"="+project))})
	if err != nil {
		return nil, fmt.Errorf("list the containers of project %q: %w", project, err)
	}
	out := map[string]ctrInfo{}
	for _, c := range list {
		svc := c.Labels[labelService]
		if _, seen := out[svc]; seen || svc == "" {
			continue
		}
		ins, err := cli.ContainerInspect(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("inspect %s: %w", c.ID[:12], err)
		}
		ci := ctrInfo{Name: strings.TrimPrefix(ins.Name, "/"), Image: ins.Config.Image, Running: ins.State.Running, Env: map[string]string{}}
		for _, kv := range ins.Config.Env {
			k, v, _ := strings.Cut(kv, "=")
			ci.Env[k] = v
		}
		for _, m := range ins.Mounts {
			src := m.Name
			if m.Type == "bind" {
				src = m.Source
			}
			ci.Mounts = append(ci.Mounts, fmt.Sprintf("%s: %s %s on %s", svc, m.Type, src, m.Destination))
		}
		out[svc] = ci
	}
	return out, nil
}

// repoName is an image reference's last path component and its tag:
// "docker.io/library/wordpress:6-apache" → ("wordpress", "6-apache").
func repoName(ref string) (string, string) {
	ref = strings.SplitN(ref, "@", 2)[0]
	name, tag := ref, ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		name, tag = ref[:i], ref[i+1:]
	}
	return name[strings.LastIndex(name, "/")+1:], tag
}

func (st *Stack) recognise(svcs []Service) error {
	var webs, dbs, other []string
	for _, s := range svcs {
		repo, tag := repoName(s.Image)
		switch {
		case repo == "wordpress" && !strings.HasPrefix(tag, "cli"):
			webs = append(webs, s.Name)
			st.Web = s
		case repo == "mysql" || repo == "mariadb":
			dbs = append(dbs, s.Name)
			st.DB = s
		default:
			other = append(other, fmt.Sprintf("%s (%s)", s.Name, s.Image))
		}
	}
	seen := func() string {
		var parts []string
		if len(webs) > 0 {
			parts = append(parts, "WordPress: "+strings.Join(webs, ", "))
		}
		if len(dbs) > 0 {
			parts = append(parts, "database: "+strings.Join(dbs, ", "))
		}
		if len(other) > 0 {
			parts = append(parts, "not recognised: "+strings.Join(other, ", "))
		}
		if len(parts) == 0 {
			return "no service"
		}
		return strings.Join(parts, "; ")
	}
	switch {
	case len(webs) == 0:
		return fmt.Errorf("project %q runs no service of the official wordpress image (recognised %s): adopt takes the official wordpress image with mysql or mariadb; for another stack, dump its database and copy its wp-content, then use `wpstack import`", st.Project, seen())
	case len(webs) > 1:
		return fmt.Errorf("project %q runs several WordPress services (%s): adopt takes one site per stack; use `wpstack import` for each", st.Project, seen())
	case len(dbs) == 0:
		return fmt.Errorf("project %q has no mysql or mariadb service (recognised %s): its database lives outside the stack; dump it yourself and use `wpstack import`", st.Project, seen())
	case len(dbs) > 1:
		return fmt.Errorf("project %q runs several database services (%s): which one holds the site is not clear; use `wpstack import`", st.Project, seen())
	}
	return nil
}

// credentials works out how to reach the site's database, as the official
// wordpress image does from its WORDPRESS_DB_* variables (defaults: host
// mysql, user root, database wordpress), and checks that the host is the
// stack's database service.
func (st *Stack) credentials() error {
	env := func(s Service, k, def string) string {
		if v, ok := s.Env[k]; ok && v != "" {
			return v
		}
		return def
	}
	for _, k := range []string{"WORDPRESS_DB_PASSWORD_FILE", "WORDPRESS_DB_USER_FILE"} {
		if _, ok := st.Web.Env[k]; ok {
			return fmt.Errorf("service %q reads %s: credentials in files (docker secrets) are not supported by adopt yet; dump the database yourself and use `wpstack import`", st.Web.Name, k)
		}
	}
	host := env(st.Web, "WORDPRESS_DB_HOST", "mysql")
	h := strings.SplitN(host, ":", 2)[0]
	if h != st.DB.Name && h != st.DB.Container {
		return fmt.Errorf("service %q uses the database at %q, not the stack's %q service: adopt dumps the stack's own database; use `wpstack import`", st.Web.Name, host, st.DB.Name)
	}
	st.DBName = env(st.Web, "WORDPRESS_DB_NAME", "wordpress")
	st.DBUser = env(st.Web, "WORDPRESS_DB_USER", "root")
	st.dbPassword = env(st.Web, "WORDPRESS_DB_PASSWORD", "")
	return nil
}

// Input is the deployment as an import reads it.
func (st Stack) Input(cli client.APIClient) importer.Input {
	return importer.Input{
		Dump: func(ctx context.Context, w io.Writer) error { return st.dump(ctx, cli, w) },
		Files: func(ctx context.Context, fn func(*tar.Header, io.Reader) error) error {
			return st.files(ctx, cli, fn)
		},
	}
}

// dump runs mariadb-dump (or mysqldump) in the database container with
// the site's credentials, the password in the exec's environment (never
// on a command line). A stopped container is started for it, and stopped
// again whatever happens.
func (st Stack) dump(ctx context.Context, cli client.APIClient, w io.Writer) error {
	ctr := st.DB.Container
	if !st.DB.Running {
		events.Emit(ctx, "adopt "+st.Project, events.Info, "starting the stopped database container "+ctr+" alone for the dump")
		if err := cli.ContainerStart(ctx, ctr, container.StartOptions{}); err != nil {
			return fmt.Errorf("start %s for the dump: %w", ctr, err)
		}
		defer func() {
			events.Emit(ctx, "adopt "+st.Project, events.Info, "stopping "+ctr+" again")
			timeout := 30
			_ = cli.ContainerStop(context.WithoutCancel(ctx), ctr, container.StopOptions{Timeout: &timeout})
		}()
	}
	env := []string{"MYSQL_PWD=" + st.dbPassword}
	// Wait for the server to answer (a container just started is still
	// initialising); the client's own ping says when.
	ping := `for c in mariadb-admin mysqladmin; do command -v $c >/dev/null && exec $c ping --silent -u"$1"; done; exit 127`
	deadline := time.Now().Add(90 * time.Second)
	for {
		var errb bytes.Buffer
		code, err := execIn(ctx, cli, ctr, env, []string{"sh", "-c", ping, "ping", st.DBUser}, io.Discard, &errb)
		if err != nil {
			return err
		}
		if code == 0 {
			break
		}
		if code == 127 || code == 126 {
			return fmt.Errorf("the database container %s cannot run mariadb-admin or mysqladmin as user %s (exit %d: %s): is it the official mysql or mariadb image?", ctr, dbUser, code, strings.TrimSpace(errb.String()))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the database in %s does not answer as %s: %s", ctr, st.DBUser, strings.TrimSpace(errb.String()))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	script := `for c in mariadb-dump mysqldump; do command -v $c >/dev/null && exec $c --single-transaction --quick --hex-blob --no-tablespaces --default-character-set=utf8mb4 -u"$1" -- "$2"; done; exit 127`
	var errb bytes.Buffer
	code, err := execIn(ctx, cli, ctr, env, []string{"sh", "-c", script, "dump", st.DBUser, st.DBName}, w, &errb)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("dump the database %s in %s as %s: exit %d: %s", st.DBName, ctr, st.DBUser, code, strings.TrimSpace(errb.String()))
	}
	return nil
}

// files copies wp-content out of the web container (running or not;
// volume or host folder alike) through the engine's archive endpoint.
func (st Stack) files(ctx context.Context, cli client.APIClient, fn func(*tar.Header, io.Reader) error) error {
	return enginesite.ReadTree(ctx, cli, st.Web.Container, webroot+"/wp-content", fn)
}

// execIn runs cmd in a container and returns its exit code.
func execIn(ctx context.Context, cli client.APIClient, ctr string, env, cmd []string, stdout, stderr io.Writer) (int, error) {
	// As the database's own user (the official mysql and mariadb images
	// both have it), not as root: the client needs no privilege.
	ex, err := cli.ContainerExecCreate(ctx, ctr, container.ExecOptions{Cmd: cmd, Env: env, User: dbUser, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	att, err := cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return -1, fmt.Errorf("attach to exec in %s: %w", ctr, err)
	}
	defer att.Close()
	stop := context.AfterFunc(ctx, func() { att.Close() })
	defer stop()
	if _, err := stdcopy.StdCopy(stdout, stderr, att.Reader); err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		return -1, fmt.Errorf("exec in %s: %w", ctr, err)
	}
	for i := 0; i < 200; i++ {
		ins, err := cli.ContainerExecInspect(ctx, ex.ID)
		if err != nil {
			return -1, fmt.Errorf("inspect exec in %s: %w", ctr, err)
		}
		if !ins.Running {
			return ins.ExitCode, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return -1, fmt.Errorf("exec in %s: still running after its output ended", ctr)
}

// RemoveHint tells the user how to remove the original deployment once
// the adopted site is what they want.
func (st Stack) RemoveHint() string {
	if st.File != "" {
		return fmt.Sprintf("docker-compose -p %s -f %s down   (add -v to delete its volumes too; host folders stay where they are)", st.Project, st.File)
	}
	return fmt.Sprintf("docker-compose -p %s down   (from the folder of its compose file; add -v to delete its volumes too)", st.Project)
}
