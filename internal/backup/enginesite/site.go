// Package enginesite reaches a running site through the Engine API for
// backups and restores: its database through exec in the database's
// container, its files through exec in the web container. The archive
// format itself is in package backup, which links no Docker client.
package enginesite

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/wpstack/wpstack/internal/backup"
	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// Site is a running site reached through the Engine API: its database
// through exec in the database's container, its files through the web
// container's archive endpoints. In the all-in-one layout both are the one
// container.
type Site struct {
	Cli  client.APIClient
	Spec site.Spec
	// Route, when set, reaches the site through one job container instead
	// of its own containers (a swarm site: see Route).
	Route *Route
}

// Route is where a site's data is reached when its own containers are out
// of the engine's reach: one container that mounts wp-content and reaches
// the database over the network.
type Route struct {
	Container string // the job container's ID or name
	User      string // its user, who owns wp-content
	DBHost    string // the database server's host name on the job's network
	DBSecret  string // the file in the job that holds the database password
	// Content is wp-content's path in the job; it is a mount point, so a
	// restore swaps its entries rather than the folder.
	Content string
	// WordPressVersion is the running core's, for the manifest: the job
	// carries no core.
	WordPressVersion string
}

const (
	webroot = contract.Webroot
	dbName  = site.DefaultDBName
	dbUser  = site.DefaultDBUser
	// The service user's copy of the database password (see container.copySecrets).
	dbSecret = contract.CopiedSecretsDir + "/MARIADB_PASSWORD"
)

func (s Site) dbContainer() (name, user string) {
	if s.Route != nil {
		return s.Route.Container, s.Route.User
	}
	if s.Spec.Layout == site.LayoutAllInOne {
		return s.Spec.ContainerName(site.ServiceAllInOne), contract.WebUser
	}
	return s.Spec.ContainerName(site.ServiceDB), contract.DBUser
}

func (s Site) webContainer() string {
	if s.Route != nil {
		return s.Route.Container
	}
	return s.Spec.ContainerName(s.Spec.WebService())
}

func (s Site) webUser() string {
	if s.Route != nil {
		return s.Route.User
	}
	return contract.WebUser
}

// content is wp-content's path in the web container.
func (s Site) content() string {
	if s.Route != nil {
		return s.Route.Content
	}
	return webroot + "/wp-content"
}

// Space is the free space where a restore writes, as the containers see it.
type Space struct {
	WebFree, DBFree int64
	// Shared: the webroot and the database are on one filesystem.
	Shared bool
}

// Space reads the free space (for the service user) of the webroot's and the
// database's filesystems, and whether they are one.
func (s Site) Space(ctx context.Context) (Space, error) {
	free := func(name, user, path string) (int64, string, error) {
		var out, errb bytes.Buffer
		code, err := s.exec(ctx, name, user, []string{"stat", "-f", "-c", "%a %S %i", path}, nil, &out, &errb)
		if err != nil {
			return 0, "", err
		}
		if code != 0 {
			return 0, "", fmt.Errorf("read free space of %s in %s: %s", path, name, strings.TrimSpace(errb.String()))
		}
		var blocks, size int64
		var fsid string
		if _, err := fmt.Sscan(out.String(), &blocks, &size, &fsid); err != nil {
			return 0, "", fmt.Errorf("read free space of %s in %s: %q: %w", path, name, out.String(), err)
		}
		return blocks * size, fsid, nil
	}
	if s.Route != nil {
		// The database's disk is on its own node, out of reach: only
		// wp-content's is checked; the server refuses a full disk itself.
		web, _, err := free(s.webContainer(), s.webUser(), s.content())
		return Space{WebFree: web, DBFree: 1 << 62}, err
	}
	web, webFS, err := free(s.webContainer(), contract.WebUser, webroot)
	if err != nil {
		return Space{}, err
	}
	name, user := s.dbContainer()
	db, dbFS, err := free(name, user, contract.DBDataDir)
	if err != nil {
		return Space{}, err
	}
	return Space{WebFree: web, DBFree: db, Shared: webFS == dbFS}, nil
}

// clientScript runs a MariaDB client with the password in an option file on
// the container's tmpfs, never on a command line or in the environment; the
// file is removed when the client ends.
func (s Site) clientScript(cmd string) []string {
	secret, server := dbSecret, `socket=/run/mysqld/mysqld.sock`
	if s.Route != nil {
		secret, server = s.Route.DBSecret, "host="+s.Route.DBHost
	}
	script := `set -e; umask 077; f=$(mktemp /tmp/wpstack-client.XXXXXX); trap 'rm -f "$f"' EXIT
pw=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' ` + secret + `)
printf '[client]\nuser=%s\npassword="%s"\n` + server + `\n' ` + dbUser + ` "$pw" > "$f"
` + cmd
	return []string{"sh", "-c", script}
}

func clientCmd(bin string, args ...string) string {
	return bin + ` --defaults-extra-file="$f" ` + strings.Join(args, " ")
}

// Facts implements Source.
func (s Site) Facts(ctx context.Context) (backup.Facts, error) {
	var f backup.Facts
	out, err := s.query(ctx, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='`+dbName+`'), (SELECT COALESCE(SUM(DATA_LENGTH),0) FROM information_schema.TABLES WHERE TABLE_SCHEMA='`+dbName+`'), (SELECT option_value FROM `+dbName+`.`+s.Spec.Prefix()+`options WHERE option_name='home') FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='`+dbName+`'`)
	if err != nil {
		return f, err
	}
	cols := strings.Split(strings.TrimRight(out, "\n"), "\t")
	if len(cols) != 5 {
		return f, fmt.Errorf("read database facts: unexpected answer %q", out)
	}
	f.DBCharset, f.DBCollation, f.SiteURL = cols[0], cols[1], cols[4]
	f.TablePrefix = s.Spec.Prefix()
	f.Tables, _ = strconv.Atoi(cols[2])
	dataLen, _ := strconv.ParseInt(cols[3], 10, 64)
	var buf bytes.Buffer
	if s.Route != nil {
		f.WordPressVersion = s.Route.WordPressVersion
	} else {
		if code, err := s.exec(ctx, s.webContainer(), contract.WebUser, contract.Command(contract.RoleVersion), nil, &buf, io.Discard); err != nil || code != 0 {
			return f, fmt.Errorf("read the WordPress version in %s: %v %s", s.webContainer(), err, buf.String())
		}
		f.WordPressVersion = strings.TrimSpace(buf.String())
		buf.Reset()
	}
	if code, err := s.exec(ctx, s.webContainer(), s.webUser(), []string{"du", "-sb", s.content()}, nil, &buf, io.Discard); err == nil && code == 0 {
		n, _ := strconv.ParseInt(strings.Fields(buf.String() + " 0")[0], 10, 64)
		f.EstimatedBytes = n
	}
	f.EstimatedBytes += dataLen
	return f, nil
}

func (s Site) query(ctx context.Context, sql string) (string, error) {
	name, user := s.dbContainer()
	var out, errb bytes.Buffer
	code, err := s.exec(ctx, name, user, s.clientScript(clientCmd("mariadb", "-N", "-B", dbName)), strings.NewReader(sql), &out, &errb)
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", fmt.Errorf("query the database in %s: %s", name, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Dump implements Source: one transaction, so the snapshot is consistent
// while the site keeps serving (InnoDB; WordPress makes nothing else).
func (s Site) Dump(ctx context.Context, w io.Writer) error {
	name, user := s.dbContainer()
	var errb bytes.Buffer
	code, err := s.exec(ctx, name, user, s.clientScript("exec "+clientCmd("mariadb-dump",
		"--single-transaction", "--quick", "--hex-blob", "--triggers", "--no-tablespaces",
		"--default-character-set=utf8mb4", "--skip-dump-date", dbName)), nil, w, &errb)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("mariadb-dump in %s exited with %d: %s", name, code, strings.TrimSpace(errb.String()))
	}
	return nil
}

// Files implements Source.
func (s Site) Files(ctx context.Context, fn func(h *tar.Header, r io.Reader) error) error {
	return ReadTree(ctx, s.Cli, s.webContainer(), s.content(), fn)
}

// ReadTree streams the tree at path in a container (running or not) to fn
// through the engine's archive endpoint, one member at a time.
func ReadTree(ctx context.Context, cli client.APIClient, container, path string, fn func(h *tar.Header, r io.Reader) error) error {
	rc, _, err := cli.CopyFromContainer(ctx, container, path)
	if err != nil {
		return fmt.Errorf("read %s from %s: %w", path, container, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s from %s: %w", path, container, err)
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}

// ImportDB implements backup.Target. The dump is hostile input: the client
// reads no local file for it (--local-infile=0), runs no client command
// that touches the file system (--sandbox; --binary-mode already ignores
// \! and the like on piped input), and runs as the WordPress user, who
// reaches only the site's database.
func (s Site) ImportDB(ctx context.Context, charset, collation string, r io.Reader) error {
	if !backup.SafeIdent(charset) || !backup.SafeIdent(collation) {
		return fmt.Errorf("refusing database charset %q / collation %q from the backup", charset, collation)
	}
	prelude := fmt.Sprintf("DROP DATABASE IF EXISTS `%s`;\nCREATE DATABASE `%s` CHARACTER SET %s COLLATE %s;\nUSE `%s`;\n", dbName, dbName, charset, collation, dbName)
	name, user := s.dbContainer()
	var errb bytes.Buffer
	code, err := s.exec(ctx, name, user, s.clientScript("exec "+clientCmd("mariadb", "--default-character-set=utf8mb4", "--binary-mode", "--local-infile=0", "--sandbox")),
		io.MultiReader(strings.NewReader(prelude), r), io.Discard, &errb)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("mariadb in %s exited with %d: %s", name, code, strings.TrimSpace(errb.String()))
	}
	return nil
}

// Staging names inside the webroot volume, so the final swap is two renames
// on one filesystem.
const (
	stageDir = webroot + "/.wpstack-restore"
	oldDir   = webroot + "/.wpstack-old"
)

// ImportFiles implements backup.Target. The new tree is unpacked beside
// the old one and swapped in with renames, so a failed copy leaves
// wp-content as it was. GNU tar unpacks it inside the web container as the
// service user, never as root, and keeps neither owners, modes beyond the
// user's umask, xattrs nor ACLs: the engine's own archive endpoint would
// extract as root, keeping whatever the headers say.
func (s Site) ImportFiles(ctx context.Context, fill func(tw *tar.Writer) error) error {
	web := s.webContainer()
	stage, old, swap := stageDir, oldDir, "mv "+webroot+"/wp-content "+oldDir+" && mv "+stageDir+"/wp-content "+webroot+"/wp-content && rm -rf "+oldDir+" "+stageDir
	if s.Route != nil {
		// wp-content is a mount point here: stage inside it and swap its
		// entries, not the folder (two renames per entry, one filesystem).
		// The site's mailbox stays as it is: backups do not carry it.
		c := s.Route.Content
		stage, old = c+"/.wpstack-restore", c+"/.wpstack-old"
		swap = `set -e; cd ` + c + ` && mkdir .wpstack-old
for e in * .[!.]* ..?*; do case "$e" in .wpstack-restore|.wpstack-old|` + contract.MailboxSubdir + `) continue;; esac; if [ -e "$e" ] || [ -L "$e" ]; then mv -- "$e" .wpstack-old/; fi; done
for e in .wpstack-restore/wp-content/* .wpstack-restore/wp-content/.[!.]* .wpstack-restore/wp-content/..?*; do case "$e" in */` + contract.MailboxSubdir + `) continue;; esac; if [ -e "$e" ] || [ -L "$e" ]; then mv -- "$e" .; fi; done
rm -rf .wpstack-old .wpstack-restore`
	}
	if err := s.sh(ctx, web, "rm -rf "+stage+" "+old+" && mkdir -m 0755 "+stage); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	fillErr := make(chan error, 1)
	go func() {
		tw := tar.NewWriter(pw)
		err := fill(tw)
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
		fillErr <- err
	}()
	var errb bytes.Buffer
	code, err := s.exec(ctx, web, s.webUser(), []string{"tar", "-x", "-f", "-", "-C", stage,
		"--no-same-owner", "--no-same-permissions", "--no-xattrs", "--no-acls", "--no-selinux", "--no-overwrite-dir"},
		pr, io.Discard, &errb)
	pr.CloseWithError(errors.New("the extraction in the container stopped"))
	ferr := <-fillErr
	if ferr != nil || err != nil || code != 0 {
		_ = s.sh(context.WithoutCancel(ctx), web, "rm -rf "+stage)
		switch {
		case ferr != nil:
			return ferr
		case err != nil:
			return fmt.Errorf("unpack wp-content in %s: %w", web, err)
		}
		return fmt.Errorf("unpack wp-content in %s: tar exited with %d: %s", web, code, strings.TrimSpace(errb.String()))
	}
	return s.sh(ctx, web, swap)
}

func (s Site) sh(ctx context.Context, name, script string) error {
	var errb bytes.Buffer
	code, err := s.exec(ctx, name, s.webUser(), []string{"sh", "-c", script}, nil, io.Discard, &errb)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("in %s, `%s` failed: %s", name, script, strings.TrimSpace(errb.String()))
	}
	return nil
}

// exec runs cmd in a container, streaming stdin in and stdout/stderr out,
// and returns its exit code.
func (s Site) exec(ctx context.Context, name, user string, cmd []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	ex, err := s.Cli.ContainerExecCreate(ctx, name, container.ExecOptions{Cmd: cmd, User: user, AttachStdin: stdin != nil, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return -1, fmt.Errorf("exec %s in %s: %w", cmd[0], name, err)
	}
	att, err := s.Cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return -1, fmt.Errorf("attach to exec in %s: %w", name, err)
	}
	defer att.Close()
	stop := context.AfterFunc(ctx, func() { att.Close() })
	defer stop()
	inErr := make(chan error, 1)
	if stdin != nil {
		go func() {
			_, err := io.Copy(att.Conn, stdin)
			if cerr := att.CloseWrite(); err == nil {
				err = cerr
			}
			inErr <- err
		}()
	} else {
		inErr <- nil
	}
	if _, err := stdcopy.StdCopy(stdout, stderr, att.Reader); err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		return -1, fmt.Errorf("exec %s in %s: %w", cmd[0], name, err)
	}
	code, err := s.exitCode(ctx, name, ex.ID)
	if err != nil || code != 0 {
		// A command that failed may not have read all its input: the
		// caller's closing of stdin ends the copy.
		return code, err
	}
	if err := <-inErr; err != nil {
		return -1, fmt.Errorf("send input to %s in %s: %w", cmd[0], name, err)
	}
	return 0, nil
}

// exitCode waits (briefly) for the engine to record that an exec ended:
// its output can close a moment before.
func (s Site) exitCode(ctx context.Context, name, id string) (int, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		ins, err := s.Cli.ContainerExecInspect(ctx, id)
		if err != nil {
			return -1, fmt.Errorf("inspect exec in %s: %w", name, err)
		}
		if !ins.Running {
			return ins.ExitCode, nil
		}
		if time.Now().After(deadline) {
			return -1, fmt.Errorf("exec in %s: still running after its output ended", name)
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Mailbox runs `wpstack-init mailbox ARGS` on the site's mailbox and
// returns its output (its errors when it fails) and exit code. It reads a swarm site's, in wp-content
// (through the data job); a local site's is read in its web container.
func (s Site) Mailbox(ctx context.Context, args ...string) (string, int, error) {
	if s.Route == nil {
		return "", -1, errors.New("the mailbox is read through a data job on a swarm only")
	}
	cmd := contract.Command(contract.RoleMailbox, append([]string{"--dir", s.Route.Content + "/" + contract.MailboxSubdir}, args...)...)
	var out, errb bytes.Buffer
	code, err := s.exec(ctx, s.Route.Container, s.Route.User, cmd, nil, &out, &errb)
	if err == nil && code != 0 {
		return errb.String(), code, nil
	}
	return out.String(), code, err
}

// Option reads one WordPress option (e.g. "blogname") from the database.
func (s Site) Option(ctx context.Context, name string) (string, error) {
	if !backup.SafeIdent(name) {
		return "", fmt.Errorf("invalid option name %q", name)
	}
	out, err := s.query(ctx, "SELECT option_value FROM "+s.Spec.Prefix()+"options WHERE option_name='"+name+"'")
	return strings.TrimRight(out, "\n"), err
}

// SetPassword gives a WordPress user a new password and reports whether the
// user exists. The value goes in on stdin (never a command line) as an MD5
// hash, which WordPress accepts once and rehashes at the first login.
func (s Site) SetPassword(ctx context.Context, login, password string) (bool, error) {
	out, err := s.query(ctx, fmt.Sprintf("UPDATE %susers SET user_pass=MD5(X'%x') WHERE user_login=X'%x';\nSELECT COUNT(*) FROM %susers WHERE user_login=X'%x';",
		s.Spec.Prefix(), password, login, s.Spec.Prefix(), login))
	if err != nil {
		return false, fmt.Errorf("set the password of %q: %w", login, err)
	}
	return strings.TrimSpace(out) != "0", nil
}

// SetOption sets one WordPress option that exists (e.g. blog_public).
func (s Site) SetOption(ctx context.Context, name, value string) error {
	if !backup.SafeIdent(name) {
		return fmt.Errorf("invalid option name %q", name)
	}
	out, err := s.query(ctx, fmt.Sprintf("UPDATE %soptions SET option_value=X'%x' WHERE option_name='%s';\nSELECT COUNT(*) FROM %soptions WHERE option_name='%s';",
		s.Spec.Prefix(), value, name, s.Spec.Prefix(), name))
	if err != nil {
		return fmt.Errorf("set option %s: %w", name, err)
	}
	if strings.TrimSpace(out) == "0" {
		return fmt.Errorf("set option %s: the site has no such option", name)
	}
	return nil
}
