//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDropinPHPSettings: the drop-in web image takes PHP's limits as
// variables (docs/images.md) and keeps the mail PHP sends, without a
// relay, in its mailbox; a malformed value stops the start naming it.
func TestDropinPHPSettings(t *testing.T) {
	diImages(t)
	// Answered before WordPress needs its database.
	extra := `if (isset($_GET['pm'])) {
	header('Content-Type: application/json');
	echo json_encode(array('memory' => ini_get('memory_limit'), 'upload' => ini_get('upload_max_filesize'),
		'post' => ini_get('post_max_size'), 'time' => ini_get('max_execution_time'),
		'mail' => mail('someone@example.com', 'pm drop-in', "kept, not lost\n")));
	exit;
}`
	port := freePort(t)
	// Read-only root: everything PID 1 writes is on /run, the webroot's
	// volume and the mailbox's.
	web := diRun(t, "--tmpfs", "/run", "--read-only", "--tmpfs", "/tmp", "-v", diName(t, "vol")+":/var/www/html", "-v", diName(t, "vol")+":/var/mail/wpstack",
		"-p", fmt.Sprintf("127.0.0.1:%d:80", port),
		"-e", "WPSTACK_DB_WAIT=0", "-e", "PHP_MEMORY_LIMIT=200M", "-e", "PHP_UPLOAD_MAX=20M", "-e", "PHP_MAX_EXECUTION_TIME=45",
		"-e", "WORDPRESS_CONFIG_EXTRA="+extra, diWeb)
	var got map[string]any
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/?pm", port))
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the web container does not answer: %v\n%s", err, ctLogs(web))
		}
		time.Sleep(time.Second)
	}
	want := map[string]any{"memory": "200M", "upload": "20M", "post": "20M", "time": "45", "mail": true}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	list := ctMust(t, "exec", "-u", "www-data", web, "/usr/local/bin/wpstack-init", "mailbox", "list")
	if !strings.Contains(list, `"subject":"pm drop-in"`) || !strings.Contains(list, `"to":"someone@example.com"`) {
		t.Errorf("the mailbox does not hold the message: %s", list)
	}
	t.Run("no root process", func(t *testing.T) { ctNoRootProcess(t, web) })
	t.Run("a malformed value", func(t *testing.T) {
		bad := diRun(t, "--tmpfs", "/run", "-e", "WPSTACK_DB_WAIT=0", "-e", "PHP_UPLOAD_MAX=64MB", diWeb)
		if code := ctWaitExit(t, bad, time.Minute); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		if log := ctLogs(bad); !strings.Contains(log, "PHP_UPLOAD_MAX") {
			t.Errorf("the refusal does not name the variable:\n%s", log)
		}
	})
}
