// Package state keeps what the Docker engine cannot hold for us: each site's
// spec and its generated secrets, as files under the user's data directory.
package state

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/contract"
	"github.com/wpstack/wpstack/internal/site"
)

// ErrNoSite is wrapped when a site has no state.
var ErrNoSite = errors.New("site does not exist")

// Secret names, each a file under <site>/secrets.
const (
	SecretDBRoot   = contract.SecretDBRoot
	SecretDB       = contract.SecretDB
	SecretAdmin    = contract.SecretAdmin
	SecretWPSalts  = contract.SecretWPSalts
	specFile       = "site.yaml"
	secretsDirName = "secrets"
)

// Store is the state directory.
type Store struct {
	Root string
}

// DefaultRoot is $WPSTACK_HOME, else $XDG_DATA_HOME/wpstack, else ~/.local/share/wpstack.
func DefaultRoot() (string, error) {
	if v := os.Getenv("WPSTACK_HOME"); v != "" {
		return filepath.Abs(v)
	}
	if v := os.Getenv("XDG_DATA_HOME"); v != "" {
		return filepath.Join(v, "wpstack"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the state directory: %w (set WPSTACK_HOME)", err)
	}
	return filepath.Join(home, ".local", "share", "wpstack"), nil
}

// SiteDir is where one site's files live.
func (s Store) SiteDir(name string) string { return filepath.Join(s.Root, "sites", name) }

// SecretsDir holds the site's secrets, one file each.
func (s Store) SecretsDir(name string) string {
	return filepath.Join(s.SiteDir(name), secretsDirName)
}

// SecretPath is the file holding one secret.
func (s Store) SecretPath(name, secret string) string {
	return filepath.Join(s.SecretsDir(name), secret)
}

// Exists says whether a site has been created.
func (s Store) Exists(name string) bool {
	_, err := os.Stat(filepath.Join(s.SiteDir(name), specFile))
	return err == nil
}

// Load reads a site's spec.
func (s Store) Load(name string) (site.Spec, error) {
	var spec site.Spec
	b, err := os.ReadFile(filepath.Join(s.SiteDir(name), specFile))
	if errors.Is(err, fs.ErrNotExist) {
		return spec, fmt.Errorf("%w: %q (list sites with `wpstack status`, create it with `wpstack up %s`)", ErrNoSite, name, name)
	}
	if err != nil {
		return spec, fmt.Errorf("read spec of site %q: %w", name, err)
	}
	if err := yaml.Unmarshal(b, &spec); err != nil {
		return spec, fmt.Errorf("parse %s: %w", filepath.Join(s.SiteDir(name), specFile), err)
	}
	return spec, nil
}

// Save writes a site's spec atomically.
func (s Store) Save(spec site.Spec) error {
	b, err := yaml.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode spec of site %q: %w", spec.Name, err)
	}
	if err := os.MkdirAll(s.SiteDir(spec.Name), 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	return writeAtomic(filepath.Join(s.SiteDir(spec.Name), specFile), b, 0o600)
}

// List returns the names of every site with state, sorted.
func (s Store) List() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.Root, "sites"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list sites in %s: %w", s.Root, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && s.Exists(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Remove deletes a site's state (spec and secrets).
func (s Store) Remove(name string) error {
	if err := os.RemoveAll(s.SiteDir(name)); err != nil {
		return fmt.Errorf("remove state of site %q: %w", name, err)
	}
	return nil
}

// EnsureSecrets generates every missing secret once and never touches an existing one.
func (s Store) EnsureSecrets(name string) error {
	dir := s.SecretsDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create secrets directory %s: %w", dir, err)
	}
	gen := map[string]func() (string, error){
		SecretDBRoot:  func() (string, error) { return Password(32) },
		SecretDB:      func() (string, error) { return Password(32) },
		SecretAdmin:   func() (string, error) { return Password(24) },
		SecretWPSalts: Salts,
	}
	for _, k := range SecretNames() {
		p := filepath.Join(dir, k)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		v, err := gen[k]()
		if err != nil {
			return fmt.Errorf("generate %s: %w", k, err)
		}
		if err := writeAtomic(p, []byte(v+"\n"), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// SecretNames lists every secret of a site.
func SecretNames() []string { return []string{SecretDBRoot, SecretDB, SecretAdmin, SecretWPSalts} }

// SeedSecrets writes the given secrets for a site that has none yet (a site
// restored with the secrets of its backup). Every value is checked first
// (see ValidateSecret): they come from an archive, and end up in MariaDB
// option files, wp-config and shell-read files. Nothing is written unless
// all of them pass. The caller holds the site's lock.
func (s Store) SeedSecrets(name string, vals map[string][]byte) error {
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if err := ValidateSecret(k, vals[k]); err != nil {
			return err
		}
	}
	dir := s.SecretsDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create secrets directory %s: %w", dir, err)
	}
	for k, v := range vals {
		if err := writeAtomic(filepath.Join(dir, k), v, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// ValidateSecret checks one secret's value as wpstack generates it:
// passwords are 12 to 128 letters, digits, '-', '_' or '.'; the salts are
// WordPress's eight NAME=value lines, each name once, each value 32 to 128
// characters of saltChars (no quote, backslash or space). A trailing
// newline is allowed.
func ValidateSecret(name string, v []byte) error {
	s := strings.TrimRight(string(v), "\r\n")
	switch name {
	case SecretDBRoot, SecretDB, SecretAdmin:
		if len(s) < 12 || len(s) > 128 || strings.Trim(s, alnum+"-_.") != "" {
			return fmt.Errorf("secret %s from the backup is not a valid password (12-128 letters, digits, '-', '_' or '.'): refusing to adopt it; restore without adopting secrets by making the backup without --include-secrets", name)
		}
	case SecretWPSalts:
		seen := map[string]bool{}
		for _, line := range strings.Split(s, "\n") {
			k, val, _ := strings.Cut(line, "=")
			if !slices.Contains(SaltNames[:], k) || seen[k] || len(val) < 32 || len(val) > 128 || strings.Trim(val, saltChars) != "" {
				return fmt.Errorf("secret %s from the backup is not eight NAME=value lines of WordPress keys and salts: refusing to adopt it", name)
			}
			seen[k] = true
		}
		if len(seen) != len(SaltNames) {
			return fmt.Errorf("secret %s from the backup holds %d of the %d WordPress keys and salts: refusing to adopt it", name, len(seen), len(SaltNames))
		}
	default:
		return fmt.Errorf("unknown secret %q", name)
	}
	return nil
}

// ReadSecret returns a secret's value without its trailing newline.
func (s Store) ReadSecret(name, secret string) (string, error) {
	b, err := os.ReadFile(s.SecretPath(name, secret))
	if err != nil {
		return "", fmt.Errorf("read secret %s of site %q: %w", secret, name, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

const (
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	saltChars = alnum + "!#$%&()*+,-./:;<>?@[]^_{|}~"
)

// Password returns n random letters and digits: about 5.95 bits each, and
// safe in any shell, URL, SQL literal or config file.
func Password(n int) (string, error) { return randomString(n, alnum) }

// SaltNames are WordPress's eight keys and salts, in wp-config order.
var SaltNames = [8]string{"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
	"AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"}

// Salts returns the eight keys and salts as NAME=value lines, 64 characters
// each like WordPress's own generator, without quotes or backslashes.
func Salts() (string, error) {
	var b strings.Builder
	for _, n := range SaltNames {
		v, err := randomString(64, saltChars)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s=%s\n", n, v)
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func randomString(n int, chars string) (string, error) {
	out := make([]byte, n)
	max := big.NewInt(int64(len(chars)))
	for i := range out {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("read random bytes: %w", err)
		}
		out[i] = chars[k.Int64()]
	}
	return string(out), nil
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	return atomicfile.Write(path, data, mode)
}

// Lock serialises commands that change one site. It waits while another
// wpstack process holds the lock, telling the user once through onWait.
func (s Store) Lock(ctx context.Context, name string, onWait func()) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Join(s.Root, "locks"), 0o700); err != nil {
		return nil, fmt.Errorf("create lock directory: %w", err)
	}
	p := filepath.Join(s.Root, "locks", name+".lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", p, err)
	}
	warned := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock site %q: %w", name, err)
		}
		if !warned && onWait != nil {
			onWait()
			warned = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another wpstack command on site %q: %w", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
