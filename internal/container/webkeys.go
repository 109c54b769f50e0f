package container

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpstack/wpstack/internal/atomicfile"
	"github.com/wpstack/wpstack/internal/contract"
)

// keysFile holds the keys and salts generated when the environment gives
// none. It lives in the webroot (the volume) so it is made once and kept:
// re-created containers keep their logins valid, as the official image's
// generated wp-config.php does. It is PHP returning an array, so a request
// for it prints nothing.
const keysFile = "wp-config-keys.php"

// wpKeyNames are WordPress's eight keys and salts.
var wpKeyNames = []string{
	"AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
	"AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
}

// keysGiven reports whether the environment sets all eight keys, through
// WPSTACK_SALTS_FILE (NAME=value lines) or WORDPRESS_<NAME>[_FILE].
func keysGiven(env environ) (bool, error) {
	given := map[string]bool{}
	if path := env[contract.EnvSaltsFile]; path != "" {
		f, err := os.Open(path)
		if err != nil {
			return false, fmt.Errorf("read WPSTACK_SALTS_FILE: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok && strings.TrimSpace(v) != "" {
				given[strings.TrimSpace(k)] = true
			}
		}
		if err := sc.Err(); err != nil {
			return false, fmt.Errorf("read WPSTACK_SALTS_FILE: %w", err)
		}
	}
	for _, k := range wpKeyNames {
		if given[k] {
			continue
		}
		v, _, err := env.lookup("WORDPRESS_" + k)
		if err != nil {
			return false, err
		}
		if v == "" {
			return false, nil
		}
	}
	return true, nil
}

// ensureKeys writes root/keysFile once when the environment does not give
// every key. It runs as www-data, so the file is the service user's.
func ensureKeys(logger *log.Logger, env environ, root string) error {
	all, err := keysGiven(env)
	if err != nil || all {
		return err
	}
	path := filepath.Join(root, keysFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("inspect %s: %w", path, err)
	}
	src, err := keysPHP()
	if err != nil {
		return err
	}
	// Link, not rename: should two containers share the webroot and start
	// at once, the first file wins and both use it.
	err = atomicfile.WriteWith(path, atomicfile.Options{Mode: 0o640, NoReplace: true}, func(w io.Writer) error {
		_, err := io.WriteString(w, src)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	logger.Printf("generated WordPress keys and salts in %s (kept across re-creation)", path)
	return nil
}

// keysPHP returns the keys file: 64 random characters per key, from an
// alphabet that needs no escaping in a PHP single-quoted string.
func keysPHP() (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~"
	var b strings.Builder
	b.WriteString("<?php\n// WordPress keys and salts, generated once by wpstack's web image.\n// Set WORDPRESS_AUTH_KEY etc. (or *_FILE) to use your own.\nreturn array(\n")
	buf := make([]byte, 64)
	for _, k := range wpKeyNames {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generate WordPress keys: %w", err)
		}
		for i, c := range buf {
			buf[i] = alphabet[int(c)%len(alphabet)]
		}
		fmt.Fprintf(&b, "\t'%s' => '%s',\n", k, buf)
	}
	b.WriteString(");\n")
	return b.String(), nil
}
