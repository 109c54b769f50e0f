package backup

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalFilesSkipsTheMailbox(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"wp-content/uploads/a.txt", "wp-content/.wpstack-mail/new/1.eml", "wp-content/.wpstack-mailer.txt"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	err := Local{Webroot: root}.Files(context.Background(), func(h *tar.Header, r io.Reader) error {
		names = append(names, h.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"wp-content/uploads/a.txt", "wp-content/.wpstack-mailer.txt"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s missing from %s", want, got)
		}
	}
	if strings.Contains(got, ".wpstack-mail/") || strings.Contains(got, "wp-content/.wpstack-mail ") {
		t.Errorf("the mailbox was walked: %s", got)
	}
}
