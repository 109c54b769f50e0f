package container

import (
	"bytes"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestEngineCallAnswers(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path)
		switch {
		case r.Method == http.MethodGet && strings.Contains(r.URL.RawQuery, "com.docker.stack.namespace%3Dblog"):
			_, _ = w.Write([]byte(`{"Volumes":[{"Name":"blog_db"},{"Name":"blog_gone"},{"Name":"blog_busy"}]}`))
		case r.URL.Path == "/volumes/blog_db":
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/volumes/blog_gone":
			w.WriteHeader(http.StatusNotFound)
		case r.URL.Path == "/volumes/blog_busy":
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"message":"volume is in use"}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	})}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	var out bytes.Buffer
	code, err := volumesRm(sock, "blog", &out)
	if code != 1 || err == nil || !strings.Contains(err.Error(), "1 of the 3 volumes") {
		t.Fatalf("code %d, err %v; want 1 and one volume left", code, err)
	}
	for _, want := range []string{"removed volume blog_db", "removed volume blog_gone", "could not remove volume blog_busy", "volume is in use"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if len(seen) != 4 || seen[0] != "GET /volumes" {
		t.Errorf("requests: %v", seen)
	}
	if code, err := volumesRm(sock, "", &out); code != 2 || err == nil {
		t.Errorf("an empty stack name: code %d, err %v", code, err)
	}
}
