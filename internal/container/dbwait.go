package container

import (
	"context"
	"fmt"
	"log"
	"net"
	"strconv"
	"strings"
	"time"
)

// defaultDBWait is how long the web container waits for its database when
// WPSTACK_DB_WAIT is unset.
const defaultDBWait = 120 * time.Second

// dbAddress turns WORDPRESS_DB_HOST into a dial address, accepting the forms
// WordPress accepts: host, host:port, [ipv6]:port, bare ipv6, and
// host:/path/to/socket.
func dbAddress(host string) (network, address string) {
	const port = "3306"
	if host == "" {
		host = "mysql"
	}
	if strings.HasPrefix(host, "[") {
		if end := strings.Index(host, "]"); end > 0 {
			h, rest := host[1:end], host[end+1:]
			if p, ok := strings.CutPrefix(rest, ":"); ok && p != "" {
				return "tcp", net.JoinHostPort(h, p)
			}
			return "tcp", net.JoinHostPort(h, port)
		}
	}
	if strings.Count(host, ":") > 1 {
		return "tcp", net.JoinHostPort(host, port) // bare IPv6
	}
	h, rest, found := strings.Cut(host, ":")
	switch {
	case !found || rest == "":
		return "tcp", net.JoinHostPort(h, port)
	case strings.HasPrefix(rest, "/"):
		return "unix", rest
	default:
		return "tcp", net.JoinHostPort(h, rest)
	}
}

// parseWait reads WPSTACK_DB_WAIT: a Go duration ("90s", "2m") or a number
// of seconds. 0 turns the wait off.
func parseWait(s string) (time.Duration, error) {
	if s == "" {
		return defaultDBWait, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("WPSTACK_DB_WAIT=%q: want seconds or a duration like 90s", s)
	}
	return d, nil
}

// dialFunc opens a connection; tests replace it.
type dialFunc func(ctx context.Context, network, address string) error

func netDial(ctx context.Context, network, address string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return err
	}
	return c.Close()
}

// dbWaiter waits until the database accepts connections.
type dbWaiter struct {
	Dial     dialFunc
	Log      *log.Logger
	Timeout  time.Duration // total time allowed
	Every    time.Duration // pause between attempts
	Report   time.Duration // pause between "waiting" messages
	HostName string        // as the user wrote it, for messages
}

func (w dbWaiter) wait(ctx context.Context, network, address string) error {
	start := time.Now()
	deadline := start.Add(w.Timeout)
	lastReport := start
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := w.Dial(attempt, network, address)
		cancel()
		if err == nil {
			return nil
		}
		now := time.Now()
		if !now.Before(deadline) {
			return fmt.Errorf("database %s not reachable after %s (%v): check that the db container is running and WORDPRESS_DB_HOST is right (set WPSTACK_DB_WAIT to wait longer)",
				w.HostName, seconds(w.Timeout), err)
		}
		if now.Sub(lastReport) >= w.Report {
			w.Log.Printf("waiting for database %s (%s of %s): %v", w.HostName, seconds(now.Sub(start)), seconds(w.Timeout), err)
			lastReport = now
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for database %s: %w", w.HostName, ctx.Err())
		case <-time.After(min(w.Every, time.Until(deadline))):
		}
	}
}

// seconds formats a duration as whole seconds, "120s", for messages.
func seconds(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
}
