//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileRestore makes a real backup of a real site, rewrites it with
// crafted members and a manifest consistent with them (so every checksum
// passes), and checks that each is refused with a clear error while the
// site keeps its content and keeps serving; that a restore failing half
// way through its dump rolls back by itself and says so; that what a
// restore may write (a setuid file with xattrs) comes out as a plain file
// of www-data; and that a normal restore still works afterwards.
func TestHostileRestore(t *testing.T) {
	e := newEnv(t)
	name := siteName("e2e13-hr")
	e.cleanupSite(name)
	port := freePort(t)
	e.mustRun("up", name, "--port", fmt.Sprint(port), "--title", "Hostile Restore")
	password := readFile(t, e.status(name).AdminPasswordFile)
	w := newWP(t, port)
	w.newPost("admin", password, "Kept by the backup")
	ctMust(t, "exec", "-u", "www-data", name+"-web-1", "sh", "-c", "mkdir -p /var/www/html/wp-content/uploads && echo kept > /var/www/html/wp-content/uploads/kept.txt")
	dir := t.TempDir()
	archive := filepath.Join(dir, "site.wpbackup")
	e.mustRun("backup", name, "-o", archive)
	backedUp := hrState(t, name)

	// Change the site, so "nothing changed" and "rolled back" can be told
	// apart from "restored".
	w.newPost("admin", password, "Written after the backup")
	ctMust(t, "exec", "-u", "www-data", name+"-web-1", "sh", "-c", "echo extra > /var/www/html/wp-content/uploads/after-backup.txt")
	changed := hrState(t, name)
	serving := func(t *testing.T, want, notWant string) {
		t.Helper()
		resp, body := w.get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, want) || (notWant != "" && strings.Contains(body, notWant)) {
			t.Errorf("home page: %s, has %q: %v, has %q: %v", resp.Status, want, strings.Contains(body, want), notWant, notWant != "" && strings.Contains(body, notWant))
		}
	}

	reg := func(n, body string, mode int64) hrMember {
		return hrMember{hdr: tar.Header{Name: "files/wp-content/" + n, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(body))}, body: body}
	}
	lnk := func(n, target string) hrMember {
		return hrMember{hdr: tar.Header{Name: "files/wp-content/" + n, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}}
	}
	dev := func(n string, typ byte) hrMember {
		return hrMember{hdr: tar.Header{Name: "files/wp-content/" + n, Typeflag: typ, Devmajor: 1, Devminor: 3, Linkname: "wp-content/index.php", Mode: 0o666}}
	}
	refused := []struct {
		name  string
		add   []hrMember
		want  string
		check string // a path in the web container that must not exist afterwards
	}{
		{"character device", []hrMember{dev("uploads/null", tar.TypeChar)}, "is a character device", "/var/www/html/wp-content/uploads/null"},
		{"FIFO", []hrMember{dev("uploads/fifo", tar.TypeFifo)}, "is a FIFO", "/var/www/html/wp-content/uploads/fifo"},
		{"hard link", []hrMember{dev("uploads/hl", tar.TypeLink)}, "is a hard link", "/var/www/html/wp-content/uploads/hl"},
		{"absolute symlink with a write through it", []hrMember{lnk("uploads/esc", "/usr/local/bin"), reg("uploads/esc/barsx", "#!/bin/sh\nid\n", 0o4755)}, "absolute path", "/usr/local/bin/barsx"},
		{"symlink escaping wp-content", []hrMember{lnk("uploads/cfg.txt", "../../wp-config.php")}, "outside wp-content", "/var/www/html/wp-content/uploads/cfg.txt"},
		{"member under an earlier symlink", []hrMember{lnk("uploads/here", "."), reg("uploads/here/x.php", "<?php echo 1;", 0o644)}, "under the symlink", "/var/www/html/wp-content/uploads/x.php"},
		{"member not in the manifest", []hrMember{func() hrMember {
			m := reg("uploads/hidden.php", "<?php system($_GET['c']);", 0o644)
			m.unlisted = true
			return m
		}()}, "not in the manifest", "/var/www/html/wp-content/uploads/hidden.php"},
	}
	for i, tc := range refused {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprintf("hostile-%d.wpbackup", i))
			hrRewrite(t, archive, p, func(ms []hrMember) []hrMember { return append(ms, tc.add...) }, nil)
			e.mustFail([]string{tc.want}, "backup", "verify", p)
			r := e.mustFail([]string{tc.want, "nothing was changed"}, "restore", name, p)
			t.Logf("restore said: %s", hrTail(r.stderr, 2))
			if got := hrState(t, name); bkDiff(changed, got) != "" {
				t.Errorf("a refused restore changed the site:\n%s", bkDiff(changed, got))
			}
			if out, err := ctDocker("exec", name+"-web-1", "sh", "-c", "test ! -e "+tc.check+" && test ! -L "+tc.check); err != nil {
				t.Errorf("%s exists after a refused restore: %v %s", tc.check, err, out)
			}
			serving(t, "Written after the backup", "")
		})
	}

	t.Run("a dump failing half way is rolled back", func(t *testing.T) {
		p := filepath.Join(dir, "fails-halfway.wpbackup")
		hrRewrite(t, archive, p, nil, func(sql string) string {
			// After the first table has been recreated and filled: a
			// statement the server refuses.
			i := strings.Index(sql, "UNLOCK TABLES;")
			if i < 0 {
				t.Fatal("the dump has no UNLOCK TABLES; to cut at")
			}
			return sql[:i] + "UNLOCK TABLES;\nINSERT INTO no_such_table_e2e13 VALUES (1);\n" + sql[i:]
		})
		e.mustRun("backup", "verify", p) // the archive itself is sound
		r := e.mustFail([]string{"no_such_table_e2e13", "rolled back", "as it was before the restore"}, "restore", name, p)
		t.Logf("restore said: %s", hrTail(r.stderr, 4))
		if strings.Contains(r.stderr, "ROLLBACK FAILED") {
			t.Fatalf("rollback failed: %s", r.stderr)
		}
		if got := hrState(t, name); bkDiff(changed, got) != "" {
			t.Errorf("the site differs from before the failed restore:\n%s", bkDiff(changed, got))
		}
		serving(t, "Written after the backup", "")
	})

	t.Run("setuid and xattrs come out plain", func(t *testing.T) {
		p := filepath.Join(dir, "setuid.wpbackup")
		hrRewrite(t, archive, p, func(ms []hrMember) []hrMember {
			m := reg("uploads/suid", "#!/bin/sh\nid\n", 0o6777)
			m.hdr.Uid, m.hdr.Gid, m.hdr.Uname, m.hdr.Gname = 0, 0, "root", "root"
			m.hdr.Format = tar.FormatPAX
			m.hdr.PAXRecords = map[string]string{"SCHILY.xattr.user.e2e13": "x", "SCHILY.xattr.security.capability": "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}
			d := hrMember{hdr: tar.Header{Name: "files/wp-content/uploads/sticky/", Typeflag: tar.TypeDir, Mode: 0o3777}}
			return append(ms, m, d)
		}, nil)
		e.mustRun("restore", name, p)
		out := ctMust(t, "exec", name+"-web-1", "stat", "-c", "%a %U %G", "/var/www/html/wp-content/uploads/suid", "/var/www/html/wp-content/uploads/sticky")
		if got := strings.Fields(out); len(got) != 6 || got[0] != "755" || got[1] != "www-data" || got[2] != "www-data" || got[3] != "755" || got[4] != "www-data" {
			t.Errorf("restored modes and owners: %q, want 755 www-data www-data for both", out)
		}
		if out, err := ctDocker("exec", name+"-web-1", "sh", "-c", "getfattr -d /var/www/html/wp-content/uploads/suid 2>/dev/null | grep -c e2e13 || true"); err == nil && strings.TrimSpace(out) != "0" && strings.TrimSpace(out) != "" {
			t.Errorf("an xattr was restored: %s", out)
		}
		if owners := ctMust(t, "exec", name+"-web-1", "sh", "-c", "find /var/www/html/wp-content ! -user www-data | head -5"); strings.TrimSpace(owners) != "" {
			t.Errorf("files not owned by www-data after the restore:\n%s", owners)
		}
		serving(t, "Kept by the backup", "Written after the backup")
	})

	withSecrets := filepath.Join(dir, "with-secrets.wpbackup")
	e.mustRun("backup", name, "-o", withSecrets, "--include-secrets")

	t.Run("refused: adopted secret that would inject into an option file", func(t *testing.T) {
		p := filepath.Join(dir, "bad-secret.wpbackup")
		hrRewrite(t, withSecrets, p, func(ms []hrMember) []hrMember {
			for i := range ms {
				if ms[i].hdr.Name == "secrets/db_password" {
					ms[i].body = "x\"\nhost=203.0.113.9\npassword=\"y\n"
				}
			}
			return ms
		}, nil)
		newName := siteName("e2e13-hrs")
		e.cleanupSite(newName)
		r := e.mustFail([]string{"db_password", "not a valid password", "nothing was changed"}, "restore", newName, p, "--port", fmt.Sprint(freePort(t)))
		t.Logf("restore said: %s", hrTail(r.stderr, 2))
		if _, err := os.Stat(filepath.Join(e.home, "sites", newName)); err == nil {
			t.Error("a refused restore left a site behind")
		}
		if res := e.labelled(newName); len(res) > 0 {
			t.Errorf("a refused restore created resources: %v", res)
		}
	})

	t.Run("two restores into one new name at once do not race", func(t *testing.T) {
		newName, newPort := siteName("e2e13-hrc"), freePort(t)
		e.cleanupSite(newName)
		type outcome struct {
			code   int
			stderr string
		}
		results := make(chan outcome, 2)
		for range 2 {
			go func() {
				cmd := e.command(context.Background(), "restore", newName, withSecrets, "--port", fmt.Sprint(newPort), "--progress", "plain")
				var errb bytes.Buffer
				cmd.Stderr = &errb
				err := cmd.Run()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					code = -1
				}
				results <- outcome{code, errb.String()}
			}()
		}
		for range 2 {
			if r := <-results; r.code != 0 {
				t.Errorf("a concurrent restore failed (exit %d):\n%s", r.code, r.stderr)
			}
		}
		for _, k := range []string{"db_password", "db_root_password", "admin_password", "wp_salts"} {
			src := readFile(t, filepath.Join(e.home, "sites", name, "secrets", k))
			if got := readFile(t, filepath.Join(e.home, "sites", newName, "secrets", k)); got != src {
				t.Errorf("secret %s of the new site differs from the backup's", k)
			}
		}
		resp, body := newWP(t, newPort).get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Kept by the backup") {
			t.Errorf("the restored site: %s, has the backed-up post: %v", resp.Status, strings.Contains(body, "Kept by the backup"))
		}
		newWP(t, newPort).login("admin", password)
	})

	t.Run("a normal restore still works", func(t *testing.T) {
		e.mustRun("restore", name, archive)
		if got := hrState(t, name); bkDiff(backedUp, got) != "" {
			t.Errorf("restored site differs from the backed-up one:\n%s", bkDiff(backedUp, got))
		}
		serving(t, "Kept by the backup", "Written after the backup")
	})
}

// hrMember is one member of an archive being rewritten.
type hrMember struct {
	hdr      tar.Header
	body     string
	unlisted bool
}

// hrRewrite copies the archive src to dst, with editFiles applied to the
// member list (header, secrets, dump and wp-content, in order) and editSQL
// to the whole dump, and writes a manifest that lists every listed member
// with its type, size and SHA-256, as wpstack's writer does.
func hrRewrite(t *testing.T, src, dst string, editFiles func([]hrMember) []hrMember, editSQL func(string) string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var ms []hrMember
	var dump strings.Builder
	var manifest map[string]any
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case h.Name == "manifest.json":
			if err := json.Unmarshal(b, &manifest); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(h.Name, "db/") && editSQL != nil:
			dump.Write(b)
		default:
			ms = append(ms, hrMember{hdr: *h, body: string(b)})
		}
	}
	if manifest == nil {
		t.Fatal("no manifest in " + src)
	}
	if editSQL != nil {
		// The dump goes back in after the header and any secrets, as one chunk.
		at := 1
		for at < len(ms) && strings.HasPrefix(ms[at].hdr.Name, "secrets/") {
			at++
		}
		sql := editSQL(dump.String())
		db := hrMember{hdr: tar.Header{Name: "db/0000.sql", Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(sql))}, body: sql}
		ms = append(ms[:at], append([]hrMember{db}, ms[at:]...)...)
	}
	if editFiles != nil {
		ms = editFiles(ms)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	var listed []map[string]any
	for i, m := range ms {
		h := m.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		} else {
			h.Size = 0
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("write %s: %v", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, m.body)
		}
		if i == 0 || m.unlisted {
			continue // the format header is not listed
		}
		typ, content := "file", m.body
		switch h.Typeflag {
		case tar.TypeDir:
			typ, content = "dir", ""
		case tar.TypeSymlink:
			typ, content = "symlink", h.Linkname
		}
		sum := sha256.Sum256([]byte(content))
		size := int64(len(content))
		if typ == "dir" {
			size = 0
		}
		listed = append(listed, map[string]any{"name": h.Name, "type": typ, "size": size, "sha256": hex.EncodeToString(sum[:])})
	}
	manifest["members"] = listed
	mb, _ := json.Marshal(manifest)
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(mb))})
	tw.Write(mb)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// hrTail is the last n lines of s.
func hrTail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

// hrState is bkState with wp_options compared row by row, leaving out what
// WordPress itself rewrites while it serves (cron runs, transients): a
// restored database holds the backup's cron times, already due, so the
// first page served after it runs cron.
func hrState(t *testing.T, siteName string) []string {
	t.Helper()
	var out []string
	for _, l := range bkState(t, siteName) {
		if !strings.HasPrefix(l, "table wordpress.wp_options\t") {
			out = append(out, l)
		}
	}
	rows := bkSQL(t, siteName, "SELECT option_name, MD5(option_value) FROM wp_options WHERE option_name NOT LIKE '%transient%' AND option_name NOT IN ('cron', 'doing_cron') ORDER BY option_name;")
	for _, l := range strings.Split(strings.TrimSpace(rows), "\n") {
		out = append(out, "option "+l)
	}
	return out
}
