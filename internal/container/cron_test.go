package container

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestCronOnce(t *testing.T) {
	hits := 0
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path != "/wp-cron.php" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer ok.Close()
	c := &http.Client{Timeout: 5 * time.Second}
	if err := cronOnce(context.Background(), c, ok.URL+"/wp-cron.php"); err != nil || hits != 1 {
		t.Errorf("cronOnce = %v after %d requests", err, hits)
	}
	if err := cronOnce(context.Background(), c, ok.URL+"/other"); err == nil {
		t.Error("a 404 from wp-cron.php was not reported")
	}
}

func TestRunCronRefusesBadSettings(t *testing.T) {
	for _, env := range []environ{
		{},
		{"WPSTACK_CRON_URL": "http://web/wp-cron.php", "WPSTACK_CRON_INTERVAL": "soon"},
		{"WPSTACK_CRON_URL": "http://web/wp-cron.php", "WPSTACK_CRON_INTERVAL": "10ms"},
	} {
		if code, err := runCron(nil, env); err == nil || code != 2 {
			t.Errorf("runCron(%v) = %d, %v; want a usage error", env, code, err)
		}
	}
}
