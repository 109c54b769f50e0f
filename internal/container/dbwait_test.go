package container

import (
	"bytes"
	"context"
	"errors"
	"log"
	"strings"
	"testing"
	"time"
)

func TestDBAddress(t *testing.T) {
	tests := []struct{ in, network, addr string }{
		{"db:3306", "tcp", "db:3306"},
		{"db", "tcp", "db:3306"},
		{"db:", "tcp", "db:3306"},
		{"", "tcp", "mysql:3306"},
		{"10.0.0.5:3307", "tcp", "10.0.0.5:3307"},
		{"[::1]:3307", "tcp", "[::1]:3307"},
		{"[::1]", "tcp", "[::1]:3306"},
		{"fd00::5", "tcp", "[fd00::5]:3306"},
		{"localhost:/run/mysqld/mysqld.sock", "unix", "/run/mysqld/mysqld.sock"},
	}
	for _, tt := range tests {
		n, a := dbAddress(tt.in)
		if n != tt.network || a != tt.addr {
			t.Errorf("dbAddress(%q) = %s %s, want %s %s", tt.in, n, a, tt.network, tt.addr)
		}
	}
}

func TestParseWait(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 120 * time.Second, true},
		{"0", 0, true},
		{"45", 45 * time.Second, true},
		{"90s", 90 * time.Second, true},
		{"2m", 2 * time.Minute, true},
		{"-5s", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, err := parseWait(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("parseWait(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDBWaiter(t *testing.T) {
	refused := errors.New("connection refused")
	t.Run("succeeds after retries", func(t *testing.T) {
		var logs bytes.Buffer
		calls := 0
		w := dbWaiter{
			Dial: func(context.Context, string, string) error {
				calls++
				if calls < 4 {
					return refused
				}
				return nil
			},
			Log: log.New(&logs, "", 0), Timeout: time.Second,
			Every: time.Millisecond, Report: 0, HostName: "db:3306",
		}
		if err := w.wait(context.Background(), "tcp", "db:3306"); err != nil {
			t.Fatal(err)
		}
		if calls != 4 || !strings.Contains(logs.String(), "waiting for database db:3306") {
			t.Fatalf("calls=%d logs=%q", calls, logs.String())
		}
	})
	t.Run("clear error at the deadline", func(t *testing.T) {
		w := dbWaiter{
			Dial: func(context.Context, string, string) error { return refused },
			Log:  log.New(&bytes.Buffer{}, "", 0), Timeout: 30 * time.Millisecond,
			Every: 5 * time.Millisecond, Report: time.Hour, HostName: "db:3306",
		}
		start := time.Now()
		err := w.wait(context.Background(), "tcp", "db:3306")
		if err == nil || !strings.Contains(err.Error(), "database db:3306 not reachable after 0s") ||
			!strings.Contains(err.Error(), "check that the db container is running") {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > time.Second {
			t.Fatalf("took %v", time.Since(start))
		}
	})
}
