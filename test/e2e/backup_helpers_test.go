//go:build e2e

package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// bkSQL runs SQL in a site's db container as the WordPress user, the
// password read inside the container from the service's secret copy.
func bkSQL(t *testing.T, siteName, sql string) string {
	t.Helper()
	script := `set -e; umask 077; f=$(mktemp /tmp/e2e.XXXXXX); trap 'rm -f "$f"' EXIT
printf '[client]\nuser=wordpress\npassword="%s"\n' "$(cat /run/wpstack/secrets/MARIADB_PASSWORD)" > "$f"
mariadb --defaults-extra-file="$f" -N -B wordpress`
	cmd := exec.Command("docker", "exec", "-i", "-u", "mysql", siteName+"-db-1", "sh", "-c", script)
	cmd.Stdin = strings.NewReader(sql)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("SQL in %s: %v: %s", siteName, err, errb.String())
	}
	return out.String()
}

// bkState is every table's CHECKSUM TABLE and every wp-content file's
// SHA-256, one line each, sorted.
func bkState(t *testing.T, siteName string) []string {
	t.Helper()
	tables := strings.Fields(bkSQL(t, siteName, "SHOW TABLES"))
	var lines []string
	if len(tables) > 0 {
		for _, l := range strings.Split(strings.TrimSpace(bkSQL(t, siteName, "CHECKSUM TABLE "+strings.Join(tables, ", ")+";")), "\n") {
			lines = append(lines, "table "+l)
		}
	}
	files := ctMust(t, "exec", "-u", "www-data", siteName+"-web-1", "sh", "-c", "cd /var/www/html && find wp-content -type f -exec sha256sum {} +")
	for _, l := range strings.Split(strings.TrimSpace(files), "\n") {
		lines = append(lines, "file "+l)
	}
	sort.Strings(lines)
	return lines
}

// bkDiff names the lines that differ between two states.
func bkDiff(a, b []string) string {
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var d []string
	for _, x := range a {
		if !mb[x] {
			d = append(d, "- "+x)
		}
	}
	for _, x := range b {
		if !ma[x] {
			d = append(d, "+ "+x)
		}
	}
	return strings.Join(d, "\n")
}

// uploadFile uploads a file through XML-RPC's wp.uploadFile and returns its URL.
func (w *wp) uploadFile(user, password, name, mime string, data []byte) string {
	w.t.Helper()
	call := fmt.Sprintf(`<?xml version="1.0"?><methodCall><methodName>wp.uploadFile</methodName><params>
<param><value><int>1</int></value></param><param><value><string>%s</string></value></param>
<param><value><string>%s</string></value></param><param><value><struct>
<member><name>name</name><value><string>%s</string></value></member>
<member><name>type</name><value><string>%s</string></value></member>
<member><name>bits</name><value><base64>%s</base64></value></member>
</struct></value></param></params></methodCall>`, user, password, name, mime, base64.StdEncoding.EncodeToString(data))
	resp, body := w.do("POST", "/xmlrpc.php", nil, strings.NewReader(call), "text/xml")
	const key = "<name>url</name><value><string>"
	i := strings.Index(body, key)
	if resp.StatusCode != 200 || i < 0 || strings.Contains(body, "faultCode") {
		w.t.Fatalf("wp.uploadFile: %s %.600s", resp.Status, body)
	}
	rest := body[i+len(key):]
	return rest[:strings.Index(rest, "</string>")]
}
