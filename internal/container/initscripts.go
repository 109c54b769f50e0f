package container

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// initScriptsDir is where the official images look for first-start scripts.
const initScriptsDir = contract.InitScriptsDir

// initSocket is the temporary server's socket: the usual one, so a script's
// plain `mysql -uroot -p...` reaches it, as with the official images. The
// health check does not pass meanwhile: it wants the final data directory.
const initSocket = dbSocket

// initScript is one file of /docker-entrypoint-initdb.d.
type initScript struct {
	Path string
	Kind string // "sh", "sql", "sql.gz", "sql.xz", "sql.zst"
}

// scriptKinds are the endings run, longest first so "x.sql.gz" is not "sql".
var scriptKinds = []string{"sql.gz", "sql.xz", "sql.zst", "sql", "sh"}

// listInitScripts returns the scripts of dir in name order (as the official
// images' shell glob does), and the names of the files it ignores.
func listInitScripts(dir string) (scripts []initScript, ignored []string, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path) // follows symlinks, as the shell does
		if err != nil || fi.IsDir() {
			continue
		}
		kind := ""
		for _, k := range scriptKinds {
			if strings.HasSuffix(name, "."+k) {
				kind = k
				break
			}
		}
		if kind == "" {
			ignored = append(ignored, name)
			continue
		}
		scripts = append(scripts, initScript{Path: path, Kind: kind})
	}
	return scripts, ignored, nil
}

// initRun is what the scripts run against: a temporary server on
// initSocket, reached as root.
type initRun struct {
	Log      *log.Logger
	Config   initConfig
	Env      environ  // the container's environment, handed to .sh scripts
	DataDir  string   // the data directory being initialised
	Extra    []string // the container's extra server arguments
	Stdout   io.Writer
	Stderr   io.Writer
	StartMax time.Duration // how long the temporary server may take to answer
	Socket   string        // default initSocket
}

// runInitScripts starts a server listening on the socket only, runs every
// script in order, and stops the server cleanly. Any failure fails the
// initialisation, which is then started afresh on the next start, as the
// official images do.
func (r initRun) runInitScripts(ctx context.Context, scripts []initScript) (err error) {
	srv, err := r.startServer(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := srv.stop(60 * time.Second); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	for _, s := range scripts {
		r.Log.Printf("running %s", s.Path)
		if err := r.runScript(ctx, s); err != nil {
			return fmt.Errorf("init script %s: %w", s.Path, err)
		}
	}
	return nil
}

// tempServer is the running temporary server; exited receives its end.
type tempServer struct {
	cmd    *exec.Cmd
	exited chan error
}

func (r initRun) startServer(ctx context.Context) (*tempServer, error) {
	args := append([]string{
		"--datadir=" + r.DataDir,
		"--skip-networking",
		"--socket=" + r.socket(),
		"--pid-file=" + dbRunDir + "/init.pid",
	}, r.Extra...)
	srv := &tempServer{cmd: exec.Command(mariadbd, args...), exited: make(chan error, 1)}
	srv.cmd.Stdout, srv.cmd.Stderr = r.Stderr, r.Stderr
	if err := srv.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the temporary server for the init scripts: %w", err)
	}
	go func() { srv.exited <- srv.cmd.Wait() }()
	max := r.StartMax
	if max == 0 {
		max = 60 * time.Second
	}
	deadline := time.Now().Add(max)
	for {
		probe := r.client(ctx, "")
		probe.Stdin = strings.NewReader("SELECT 1")
		if err := probe.Run(); err == nil {
			return srv, nil
		}
		select {
		case err := <-srv.exited:
			return nil, fmt.Errorf("the temporary server for the init scripts ended before answering (%v); its log is above", err)
		case <-ctx.Done():
			srv.kill()
			return nil, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			srv.kill()
			return nil, fmt.Errorf("the temporary server for the init scripts did not answer on %s within %s", r.socket(), max)
		}
	}
}

func (s *tempServer) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// stop asks for a clean shutdown (SIGTERM flushes InnoDB) and waits.
func (s *tempServer) stop(timeout time.Duration) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop the temporary server: %w", err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			return fmt.Errorf("the temporary server did not stop cleanly: %w", err)
		}
		return nil
	case <-time.After(timeout):
		s.kill()
		return fmt.Errorf("the temporary server did not stop within %s", timeout)
	}
}

// client is the mariadb client against the temporary server as root. The
// password goes through MYSQL_PWD so it never shows in a process list.
func (r initRun) client(ctx context.Context, database string) *exec.Cmd {
	args := []string{"--no-defaults", "--protocol=socket", "--socket=" + r.socket(),
		"--user=root", "--default-character-set=utf8mb4", "--batch"}
	if database != "" {
		args = append(args, "--database="+database)
	}
	cmd := exec.CommandContext(ctx, mariadbShell, args...)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+r.Config.RootPassword)
	return cmd
}

// runScript runs one script: SQL (possibly compressed) through the client
// into MARIADB_DATABASE when set, shell scripts with the container's
// environment plus the variables a script needs to reach the server.
func (r initRun) runScript(ctx context.Context, s initScript) error {
	if s.Kind == "sh" {
		return r.runShell(ctx, s.Path)
	}
	f, err := os.Open(s.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := r.client(ctx, r.Config.Database)
	cmd.Stdout, cmd.Stderr = r.Stdout, r.Stderr
	var dec *exec.Cmd
	switch s.Kind {
	case "sql":
		cmd.Stdin = f
	case "sql.gz":
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("read gzip: %w", err)
		}
		defer zr.Close()
		cmd.Stdin = zr
	case "sql.xz", "sql.zst":
		tool := map[string]string{"sql.xz": "xz", "sql.zst": "zstd"}[s.Kind]
		dec = exec.CommandContext(ctx, tool, "--decompress", "--stdout")
		dec.Stdin, dec.Stderr = f, r.Stderr
		out, err := dec.StdoutPipe()
		if err != nil {
			return err
		}
		cmd.Stdin = out
		if err := dec.Start(); err != nil {
			return fmt.Errorf("start %s: %w", tool, err)
		}
	}
	runErr := cmd.Run()
	if dec != nil {
		if err := dec.Wait(); err != nil && runErr == nil {
			return fmt.Errorf("decompress: %w", err)
		}
	}
	if runErr != nil {
		return fmt.Errorf("mariadb client: %w", runErr)
	}
	return nil
}

// runShell runs a .sh script: directly when executable, else with sh (the
// official images source it into their bash entrypoint; a separate process
// cannot share functions, see docs/images.md). The mariadb/mysql client in
// the script reaches the temporary server on the default socket. The script
// sees the resolved settings (a *_FILE read, a generated root password)
// under both prefixes, as the official images export them.
func (r initRun) runShell(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	var cmd *exec.Cmd
	if fi.Mode()&0o111 != 0 {
		cmd = exec.CommandContext(ctx, path)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", path)
	}
	cmd.Dir = initScriptsDir
	cmd.Stdout, cmd.Stderr = r.Stdout, r.Stderr
	env := r.Env.with(nil)
	resolved := map[string]string{}
	for suffix, v := range map[string]string{
		"ROOT_PASSWORD": r.Config.RootPassword,
		"DATABASE":      r.Config.Database,
		"USER":          r.Config.User,
		"PASSWORD":      r.Config.Password,
	} {
		for _, prefix := range []string{"MARIADB_", "MYSQL_"} {
			resolved[prefix+suffix] = v
			delete(env, prefix+suffix+"_FILE")
		}
	}
	cmd.Env = env.with(resolved).list()
	if err := cmd.Run(); err != nil {
		return err
	}
	return nil
}
