package importer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/wpstack/wpstack/internal/backup"
)

// dump is the shape mariadb-dump writes (extended inserts, executable
// comments, the sandbox marker), with prefix p.
func dump(p string) string {
	return `/*M!999999\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: wordpress
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
CREATE DATABASE /*!32312 IF NOT EXISTS*/ ` + "`wordpress`" + ` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;
USE ` + "`wordpress`" + `;
DROP TABLE IF EXISTS ` + "`" + p + "options`" + `;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE ` + "`" + p + "options`" + ` (
  ` + "`option_id`" + ` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  ` + "`option_name`" + ` varchar(191) NOT NULL DEFAULT '',
  ` + "`option_value`" + ` longtext NOT NULL,
  ` + "`autoload`" + ` varchar(20) NOT NULL DEFAULT 'yes',
  PRIMARY KEY (` + "`option_id`" + `)
) ENGINE=InnoDB AUTO_INCREMENT=130 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
LOCK TABLES ` + "`" + p + "options`" + ` WRITE;
INSERT INTO ` + "`" + p + "options`" + ` VALUES (1,'siteurl','http://old.example:8000','yes'),(2,'home','http://old.example:8000','yes'),(3,'blogname','It\'s; a \"blog\"','yes'),(4,'db_version','53496','yes'),(5,'widget','a:1:{s:3:\"url\";s:23:\"http://old.example:8000\";}','yes');
UNLOCK TABLES;
CREATE TABLE ` + "`" + p + "users`" + ` (
  ` + "`ID`" + ` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  ` + "`user_login`" + ` varchar(60) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
INSERT INTO ` + "`" + p + "users`" + ` VALUES (1,'admin'),(2,'editor; -- not a comment');
CREATE TABLE ` + "`" + p + "posts`" + ` (
  ` + "`ID`" + ` bigint(20) unsigned NOT NULL AUTO_INCREMENT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
INSERT INTO ` + "`" + p + "posts`" + ` (` + "`ID`, `post_status`, `post_type`" + `) VALUES (1,'publish','post'),(2,'draft','post'),(3,'publish','page'),(4,'publish','post');
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
-- Dump completed on 2026-11-30 10:00:00
`
}

func TestScanDump(t *testing.T) {
	var out bytes.Buffer
	f, err := ScanDump(strings.NewReader(dump("blog7_")), &out, backup.MaxStatement)
	if err != nil {
		t.Fatal(err)
	}
	want := DumpFacts{Prefix: "blog7_", Charset: "utf8mb4", Collation: "utf8mb4_unicode_520_ci", SiteURL: "http://old.example:8000",
		Home: "http://old.example:8000", DBVersion: "53496", Tables: 3, Posts: 2, Users: 2, Bytes: int64(len(dump("blog7_")))}
	if f != want {
		t.Errorf("facts:\n got %+v\nwant %+v", f, want)
	}
	if strings.Contains(out.String(), "USE `wordpress`") || strings.Contains(out.String(), "CREATE DATABASE") {
		t.Errorf("USE / CREATE DATABASE were kept:\n%s", out.String())
	}
	for _, keep := range []string{`It\'s; a \"blog\"`, "editor; -- not a comment", "UNLOCK TABLES;", "/*!40101 SET NAMES utf8mb4 */;"} {
		if !strings.Contains(out.String(), keep) {
			t.Errorf("output lost %q", keep)
		}
	}
	if WordPressVersion(f.DBVersion) != "6.0–6.2" {
		t.Errorf("version of 53496: %q", WordPressVersion(f.DBVersion))
	}
}

func TestScanDumpMySQL8(t *testing.T) {
	var out bytes.Buffer
	in := strings.ReplaceAll(dump("wp_"), "utf8mb4_unicode_520_ci", "utf8mb4_0900_ai_ci") + "/*!50503 SET character_set_client = utf8mb4 COLLATE utf8mb4_0900_ai_ci */;\n"
	f, err := ScanDump(strings.NewReader(in), &out, backup.MaxStatement)
	if err != nil {
		t.Fatal(err)
	}
	if f.Collation != "utf8mb4_unicode_520_ci" || strings.Contains(out.String(), "0900") {
		t.Errorf("collation %q; output still has MySQL 8 collations: %v", f.Collation, strings.Contains(out.String(), "0900"))
	}
}

func TestScanDumpRefuses(t *testing.T) {
	full := dump("wp_")
	cases := []struct {
		name, in, want string
	}{
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", "binary data"},
		{"text", "hello, this is a letter; not SQL at all\n", "not an SQL dump"},
		{"empty", "", "creates no table"},
		{"truncated", full[:strings.Index(full, "(2,'editor")], "truncated"},
		{"in a literal", full[:strings.Index(full, "a \\\"blog")], "truncated"},
		{"no users table", strings.ReplaceAll(full, "`wp_users`", "`other_users`"), "not a whole WordPress database"},
		{"prefix mismatch", strings.ReplaceAll(strings.ReplaceAll(full, "`wp_users`", "`a_users`"), "`wp_posts`", "`a_posts`"), "not a whole WordPress database"},
		{"not wordpress", "CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1);\n", "no WordPress options"},
		{"grant", full + "GRANT ALL ON *.* TO 'x'@'%';\n", "GRANT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ScanDump(strings.NewReader(c.in), io.Discard, backup.MaxStatement)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	t.Run("oversized statement", func(t *testing.T) {
		_, err := ScanDump(strings.NewReader(full+"INSERT INTO `wp_posts` VALUES ('"+strings.Repeat("x", 5000)+"');"), io.Discard, 4096)
		if !errors.Is(err, backup.ErrStatementTooLarge) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestDecompress(t *testing.T) {
	plain := dump("wp_")
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(plain))
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(plain))
	zw.Close()
	for name, in := range map[string][]byte{"plain": []byte(plain), "gzip": gz.Bytes(), "zstd": zs.Bytes()} {
		r, err := Decompress(bytes.NewReader(in))
		if err != nil {
			t.Fatal(name, err)
		}
		b, err := io.ReadAll(r)
		if err != nil || string(b) != plain {
			t.Errorf("%s: %v, %d bytes", name, err, len(b))
		}
	}
	for name, in := range map[string][]byte{"gzip": gz.Bytes()[:gz.Len()/2], "zstd": zs.Bytes()[:zs.Len()/2]} {
		r, err := Decompress(bytes.NewReader(in))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		if err == nil {
			t.Errorf("truncated %s read without an error", name)
		}
	}
}

func writeZip(t *testing.T, entries map[string]string, symlink map[string]string) string {
	p := filepath.Join(t.TempDir(), "wp-content.zip")
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	for n, body := range entries {
		w, _ := zw.Create(n)
		w.Write([]byte(body))
	}
	for n, target := range symlink {
		h := &zip.FileHeader{Name: n}
		h.SetMode(os.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte(target))
	}
	zw.Close()
	f.Close()
	return p
}

func stage(t *testing.T, files string) (Found, []byte, error) {
	return stageDump(t, files, func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, dump("wp_"))
		return err
	})
}

func stageDump(t *testing.T, files string, d func(context.Context, io.Writer) error) (Found, []byte, error) {
	t.Helper()
	ff, err := OpenFiles(files)
	if err != nil {
		return Found{}, nil, err
	}
	in := Input{Files: ff, Dump: d}
	var buf bytes.Buffer
	f, _, err := Stage(context.Background(), in, &buf, StageOptions{Site: "t"})
	return f, buf.Bytes(), err
}

func TestStage(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "wp-content", "uploads", "2026"), 0o755)
	os.WriteFile(filepath.Join(dir, "wp-content", "uploads", "2026", "a.jpg"), bytes.Repeat([]byte{1}, 1000), 0o644)
	os.WriteFile(filepath.Join(dir, "wp-content", "index.php"), []byte("<?php"), 0o644)
	os.Symlink("2026/a.jpg", filepath.Join(dir, "wp-content", "uploads", "latest.jpg"))
	zipped := writeZip(t, map[string]string{"uploads/2026/a.jpg": strings.Repeat("x", 1000), "index.php": "<?php"}, map[string]string{"uploads/latest.jpg": "2026/a.jpg"})
	for name, src := range map[string]string{"folder holding wp-content": dir, "wp-content": filepath.Join(dir, "wp-content"), "zip": zipped} {
		t.Run(name, func(t *testing.T) {
			f, arch, err := stage(t, src)
			if err != nil {
				t.Fatal(err)
			}
			if f.Files != 2 || f.Uploads != 1 || f.UploadsBytes != 1000 || f.OldURL != "http://old.example:8000" || f.WordPressVersion != "6.0–6.2" {
				t.Errorf("found %+v", f)
			}
			m, err := backup.Verify(bytes.NewReader(arch), nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.SiteURL != "http://old.example:8000" || m.DBCharset != "utf8mb4" || m.Files() != 2 {
				t.Errorf("manifest %+v", m)
			}
		})
	}
}

func TestStageRefuses(t *testing.T) {
	tgz := filepath.Join(t.TempDir(), "wp.tar.gz")
	{
		var buf bytes.Buffer
		gw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gw)
		body := bytes.Repeat([]byte("y"), 200000)
		tw.WriteHeader(&tar.Header{Name: "wp-content/uploads/big.bin", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
		tw.Close()
		gw.Close()
		os.WriteFile(tgz, buf.Bytes()[:buf.Len()/2], 0o644)
	}
	cases := map[string]struct{ files, want string }{
		"zip traversal":       {writeZip(t, map[string]string{"uploads/ok.txt": "x", "../../etc/cron.d/x": "boom"}, nil), "only wp-content"},
		"zip symlink outside": {writeZip(t, map[string]string{"uploads/ok.txt": "x"}, map[string]string{"uploads/passwd": "/etc/passwd"}), "absolute path"},
		"zip symlink up":      {writeZip(t, map[string]string{"uploads/ok.txt": "x"}, map[string]string{"uploads/up": "../../../x"}), "outside wp-content"},
		"truncated tar.gz":    {tgz, "complete"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := stage(t, c.files)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	// A bad dump is named as such, however much of it was still unread.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.php"), []byte("<?php"), 0o644)
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(dump("wp_")))
	gw.Close()
	for name, c := range map[string]struct {
		in   []byte
		want string
	}{
		"not a dump":     {bytes.Repeat([]byte("\x00\x01binary"), 200000), "binary data"},
		"truncated gzip": {gz.Bytes()[:gz.Len()-10], "unexpected EOF"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := stageDump(t, dir, func(_ context.Context, w io.Writer) error {
				r, err := Decompress(bytes.NewReader(c.in))
				if err != nil {
					return err
				}
				_, err = io.Copy(w, r)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	t.Run("not an archive", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "notes.txt")
		os.WriteFile(p, []byte("hello"), 0o644)
		if _, err := OpenFiles(p); err == nil || !strings.Contains(err.Error(), "neither a folder nor") {
			t.Fatalf("got %v", err)
		}
	})
}
