package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Local is a site seen from inside its own stack (the scheduled backup
// service): the database over the site network, the webroot mounted
// read-only.
type Local struct {
	Webroot string // e.g. /var/www/html
	DBHost  string // host[:port] or host:/socket, e.g. db:3306
	// PasswordFile holds the WordPress database user's password.
	PasswordFile string
	// WordPressVersion is used when the webroot holds no core (a swarm
	// site's core lives in its web image; only wp-content is shared).
	WordPressVersion string
	// TablePrefix is the site's table prefix (default wp_).
	TablePrefix string
}

// withOptionFile writes a client option file on the container's tmpfs
// (never the password on a command line) and removes it after fn.
func (l Local) withOptionFile(fn func(path string) error) error {
	pw, err := os.ReadFile(l.PasswordFile)
	if err != nil {
		return fmt.Errorf("read the database password: %w", err)
	}
	host, port, ok := strings.Cut(l.DBHost, ":")
	if !ok {
		port = "3306"
	}
	addr := fmt.Sprintf("host=%s\nport=%s\n", OptionValue(host), OptionValue(port))
	if strings.HasPrefix(port, "/") {
		addr = fmt.Sprintf("socket=%s\n", OptionValue(port)) // host:/path/to/socket, as WordPress reads it
	}
	f, err := os.CreateTemp("", "wpstack-client-*.cnf")
	if err != nil {
		return fmt.Errorf("write the client option file: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = fmt.Fprintf(f, "[client]\nuser=%s\npassword=%s\n%s", dbUser, OptionValue(strings.TrimSpace(string(pw))), addr)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the client option file: %w", err)
	}
	return fn(f.Name())
}

func (l Local) run(ctx context.Context, stdin io.Reader, stdout io.Writer, bin string, args ...string) error {
	return l.withOptionFile(func(cnf string) error {
		cmd := exec.CommandContext(ctx, bin, append([]string{"--defaults-extra-file=" + cnf}, args...)...)
		var errb bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, &errb
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w: %s", bin, err, strings.TrimSpace(errb.String()))
		}
		return nil
	})
}

var wpVersionRE = regexp.MustCompile(`\$wp_version\s*=\s*'([^']+)'`)

// Facts implements Source.
func (l Local) Facts(ctx context.Context) (Facts, error) {
	var f Facts
	var out bytes.Buffer
	prefix := l.TablePrefix
	if prefix == "" {
		prefix = "wp_"
	}
	if !SafeIdent(prefix) {
		return Facts{}, fmt.Errorf("invalid table prefix %q", prefix)
	}
	q := `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME, (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='` + dbName + `'), (SELECT option_value FROM ` + dbName + `.` + prefix + "options" + ` WHERE option_name='home') FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='` + dbName + `'`
	if err := l.run(ctx, strings.NewReader(q), &out, "mariadb", "-N", "-B", dbName); err != nil {
		return f, fmt.Errorf("read database facts: %w", err)
	}
	cols := strings.Split(strings.TrimRight(out.String(), "\n"), "\t")
	if len(cols) != 4 {
		return f, fmt.Errorf("read database facts: unexpected answer %q", out.String())
	}
	f.DBCharset, f.DBCollation, f.SiteURL = cols[0], cols[1], cols[3]
	f.TablePrefix = prefix
	f.Tables, _ = strconv.Atoi(cols[2])
	b, err := os.ReadFile(filepath.Join(l.Webroot, "wp-includes", "version.php"))
	if errors.Is(err, fs.ErrNotExist) && l.WordPressVersion != "" {
		f.WordPressVersion = l.WordPressVersion
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read the WordPress version: %w", err)
	}
	if m := wpVersionRE.FindSubmatch(b); m != nil {
		f.WordPressVersion = string(m[1])
	}
	return f, nil
}

// Dump implements Source.
func (l Local) Dump(ctx context.Context, w io.Writer) error {
	return l.run(ctx, nil, w, "mariadb-dump", "--single-transaction", "--quick", "--hex-blob", "--triggers",
		"--no-tablespaces", "--default-character-set=utf8mb4", "--skip-dump-date", dbName)
}

// Files implements Source.
func (l Local) Files(ctx context.Context, fn func(h *tar.Header, r io.Reader) error) error {
	root := filepath.Join(l.Webroot, "wp-content")
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(l.Webroot, p)
		if d.IsDir() && isMailbox(filepath.ToSlash(rel)) {
			// Never read: mail is no part of a backup, and the folder is
			// the web user's alone (a scheduled backup may run as another).
			return fs.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		h.Uname, h.Gname = "", ""
		if !fi.Mode().IsRegular() {
			return fn(h, nil)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return fn(h, io.LimitReader(f, h.Size))
	})
}
