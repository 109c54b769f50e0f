package container

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wpstack/wpstack/internal/contract"
)

// runCron is the one runner of WordPress's scheduled tasks on a cluster,
// where page-load cron is off on every web replica: it requests
// WPSTACK_CRON_URL (wp-cron.php) every WPSTACK_CRON_INTERVAL until stopped.
func runCron(logger *log.Logger, env environ) (int, error) {
	url := env[contract.EnvCronURL]
	if url == "" {
		return 2, fmt.Errorf("cron: WPSTACK_CRON_URL is not set (e.g. http://web/wp-cron.php)")
	}
	every := time.Minute
	if v := env[contract.EnvCronInterval]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return 2, fmt.Errorf("cron: WPSTACK_CRON_INTERVAL %q: give a duration of at least 1s, e.g. 60s", v)
		}
		every = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := &http.Client{Timeout: 5 * time.Minute}
	logger.Printf("cron: requesting %s every %s", url, every)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := cronOnce(ctx, client, url); err != nil {
			logger.Printf("cron: %v", err)
		}
		select {
		case <-ctx.Done():
			return 0, nil
		case <-t.C:
		}
	}
}

func cronOnce(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("request %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("request %s: %s", url, resp.Status)
	}
	return nil
}
