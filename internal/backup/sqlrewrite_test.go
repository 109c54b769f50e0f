package backup

import (
	"io"
	"strings"
	"testing"
)

func TestRewriteSQL(t *testing.T) {
	rp := NewReplacer("http://localhost:8080", "http://localhost:9191")
	tests := []struct{ name, in, want string }{
		{"no literal", "CREATE TABLE `t` (`a` int);\n", "CREATE TABLE `t` (`a` int);\n"},
		{"untouched escapes", `INSERT INTO t VALUES ('it\'s','a\nb','\\');` + "\n", `INSERT INTO t VALUES ('it\'s','a\nb','\\');` + "\n"},
		{"siteurl", `INSERT INTO wp_options VALUES (1,'siteurl','http://localhost:8080','yes');`,
			`INSERT INTO wp_options VALUES (1,'siteurl','http://localhost:9191','yes');`},
		{"serialized with escaped quotes", `('a:1:{s:3:\"url\";s:26:\"http://localhost:8080/x.jpg\";}')`,
			`('a:1:{s:3:\"url\";s:26:\"http://localhost:9191/x.jpg\";}')`},
		{"serialized count fixed with newline", `('s:23:\"\nhttp://localhost:8080\n\";')`, `('s:23:\"\nhttp://localhost:9191\n\";')`},
		{"comment with quote", "-- don't touch http://localhost:8080\nSELECT 'http://localhost:8080';\n",
			"-- don't touch http://localhost:8080\nSELECT 'http://localhost:9191';\n"},
		{"backtick with quote", "INSERT INTO `it's` VALUES ('http://localhost:8080');",
			"INSERT INTO `it's` VALUES ('http://localhost:9191');"},
		{"hex blob untouched", "INSERT INTO t VALUES (0x687474703A2F2F);", "INSERT INTO t VALUES (0x687474703A2F2F);"},
		{"doubled quote", `SELECT 'x''y http://localhost:8080';`, `SELECT 'x\'y http://localhost:9191';`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := io.ReadAll(RewriteSQL(strings.NewReader(tt.in), rp))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("\n got %s\nwant %s", b, tt.want)
			}
		})
	}
	// A different length must change the count.
	long := NewReplacer("http://localhost:8080", "https://blog.example.org")
	b, _ := io.ReadAll(RewriteSQL(strings.NewReader(`('a:1:{i:0;s:21:\"http://localhost:8080\";}')`), long))
	if want := `('a:1:{i:0;s:24:\"https://blog.example.org\";}')`; string(b) != want {
		t.Errorf("count not fixed: got %s want %s", b, want)
	}
	if _, err := io.ReadAll(RewriteSQL(strings.NewReader(`SELECT 'unterminated`), rp)); err == nil {
		t.Error("an unterminated literal was accepted")
	}
}
