package engine

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/events"
	"github.com/wpstack/wpstack/internal/site"
)

// InstallOptions are what WordPress's installer asks for.
type InstallOptions struct {
	AdminPassword string
}

// baseURL is where this process reaches the site's published port; requests
// carry the site's Host header so WordPress sees its real URL.
func (e *Engine) baseURL(s site.Spec) string {
	return "http://" + netJoin(e.reachHost, s.Port)
}

func netJoin(h string, port int) string {
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(port)
}

func (e *Engine) request(ctx context.Context, s site.Spec, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, e.baseURL(s)+path, body)
	if err != nil {
		return nil, err
	}
	req.Host = s.HostHeader()
	return req, nil
}

// Installed says whether WordPress has been installed: an uninstalled one
// redirects its home page to wp-admin/install.php.
func (e *Engine) Installed(ctx context.Context, s site.Spec) (bool, error) {
	req, err := e.request(ctx, s, http.MethodGet, "/", nil)
	if err != nil {
		return false, err
	}
	resp, err := httpClient().Do(req)
	if err != nil {
		return false, fmt.Errorf("reach %s: %w", s.URL(), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 == 3 && strings.Contains(resp.Header.Get("Location"), "wp-admin/install.php") {
		return false, nil
	}
	return true, nil
}

// Install runs WordPress's installer over HTTP, as a browser would, so that
// WordPress stores the site's URL exactly as printed.
func (e *Engine) Install(ctx context.Context, s site.Spec, opts InstallOptions) error {
	res := "wordpress " + s.Name
	installed, err := e.Installed(ctx, s)
	if err != nil {
		return err
	}
	if installed {
		events.Emit(ctx, res, events.Skipped, "already installed")
		return nil
	}
	events.Emit(ctx, res, events.Working, "installing (title, admin user, e-mail)")
	form := url.Values{
		"weblog_title":    {s.Title},
		"user_name":       {s.AdminUser},
		"admin_password":  {opts.AdminPassword},
		"admin_password2": {opts.AdminPassword},
		"admin_email":     {s.AdminEmail},
		"blog_public":     {"1"},
		"Submit":          {"Install WordPress"},
	}
	req, err := e.request(ctx, s, http.MethodPost, "/wp-admin/install.php?step=2", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("install WordPress on %s: %w", s.URL(), err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("install WordPress on %s: installer answered %s", s.URL(), resp.Status)
	}
	if installed, err := e.Installed(ctx, s); err != nil || !installed {
		return fmt.Errorf("install WordPress on %s: the installer did not finish: %s", s.URL(), installerMessage(body))
	}
	events.Emit(ctx, res, events.Done, "installed")
	return nil
}

// installerMessage pulls WordPress's error text out of the installer page.
func installerMessage(body []byte) string {
	b := string(body)
	if i := strings.Index(b, `class="message"`); i >= 0 {
		if j := strings.LastIndex(b[:i], "<"); j >= 0 {
			b = b[j:]
		}
	}
	b = stripTags(b)
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return strings.TrimSpace(b)
}

func stripTags(s string) string {
	var out strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			out.WriteRune(' ')
		case !in:
			out.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(out.String())), " ")
}

// WaitServing returns when the home page answers 200 with the site's title.
func (e *Engine) WaitServing(ctx context.Context, s site.Spec, timeout time.Duration) error {
	res := "site " + s.Name
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last string
	for {
		ok, why := e.servesTitle(ctx, s)
		if ok {
			events.Emit(ctx, res, events.Done, "serving at "+s.URL())
			return nil
		}
		last = why
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("site %q does not serve its home page with its title after %s (last: %s); see `wpstack logs %s`", s.Name, timeout, last, s.Name)
			}
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

func (e *Engine) servesTitle(ctx context.Context, s site.Spec) (bool, string) {
	req, err := e.request(ctx, s, http.MethodGet, "/", nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := httpClient().Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK {
		return false, "home page answered " + resp.Status
	}
	if !TitleIn(string(body), s.Title) {
		return false, "home page does not show the title " + strconv.Quote(s.Title)
	}
	return true, ""
}

// TitleIn says whether the page's <title> holds the site title, as WordPress
// escapes it.
func TitleIn(page, title string) bool {
	i := strings.Index(page, "<title>")
	j := strings.Index(page, "</title>")
	if i < 0 || j < i {
		return false
	}
	got := html.UnescapeString(page[i+len("<title>") : j])
	// WordPress turns straight quotes into typographic ones in titles.
	norm := strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "–", "-", "—", "-")
	return strings.Contains(norm.Replace(got), norm.Replace(title))
}
