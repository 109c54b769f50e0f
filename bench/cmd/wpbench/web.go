package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// client never follows redirects: a home page that redirects to the
// installer is not a working site.
func newClient() *http.Client {
	return &http.Client{
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(ctx context.Context, c *http.Client, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// homeServes: 200 and the site's title in <title>.
func homeServes(ctx context.Context, c *http.Client, base, title string) bool {
	code, body, err := get(ctx, c, base)
	return err == nil && code == http.StatusOK && strings.Contains(body, "<title>"+html.EscapeString(title))
}

// poll calls ok every 100 ms until it says yes or d passes.
func poll(ctx context.Context, d time.Duration, what string, ok func() bool) error {
	deadline := time.Now().Add(d)
	for {
		if ok() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s", what, d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// wizardInstall does what a user does in the browser: waits for the
// installer form (it shows a database error until the database answers),
// then submits it.
func wizardInstall(ctx context.Context, base, title, user, password string) error {
	c := newClient()
	if err := poll(ctx, 3*time.Minute, "installer form at "+base+"wp-admin/install.php", func() bool {
		code, body, err := get(ctx, c, base+"wp-admin/install.php")
		return err == nil && code == http.StatusOK && strings.Contains(body, "weblog_title")
	}); err != nil {
		return err
	}
	form := url.Values{
		"weblog_title": {title}, "user_name": {user}, "admin_password": {password}, "admin_password2": {password},
		"pw_weak": {"1"}, "admin_email": {"admin@example.com"}, "blog_public": {"1"}, "Submit": {"Install WordPress"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"wp-admin/install.php?step=2", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("submit the installer at %s: %w", base, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "wp-login.php") {
		return fmt.Errorf("installer at %s answered %d without a login link", base, resp.StatusCode)
	}
	return nil
}

// login returns the Cookie header of a logged-in admin session.
func login(ctx context.Context, base, user, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Timeout: 30 * time.Second, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// WordPress wants its test cookie before it accepts a login.
	if _, _, err := get(ctx, c, base+"wp-login.php"); err != nil {
		return "", fmt.Errorf("open %swp-login.php: %w", base, err)
	}
	form := url.Values{"log": {user}, "pwd": {password}, "wp-submit": {"Log In"}, "testcookie": {"1"}, "redirect_to": {base + "wp-admin/"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"wp-login.php", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("log in at %s: %w", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("log in as %s at %s: answered %d, want a redirect", user, base, resp.StatusCode)
	}
	u, _ := url.Parse(base + "wp-admin/")
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("log in at %s: no cookie came back", base)
	}
	return "Cookie: " + strings.Join(parts, "; "), nil
}

// adminAnswers checks that the admin page serves 200 to the session (not
// a redirect to the login form, which the load generator would count as
// a success).
func adminAnswers(ctx context.Context, u, cookieHeader string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	name, value, _ := strings.Cut(cookieHeader, ": ")
	req.Header.Set(name, value)
	resp, err := newClient().Do(req)
	if err != nil {
		return fmt.Errorf("open %s logged in: %w", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "wpadminbar") {
		return fmt.Errorf("%s answered %d without the admin bar to the logged-in session", u, resp.StatusCode)
	}
	return nil
}
