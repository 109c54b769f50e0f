// Package wordpress holds the operations wpstack runs on a WordPress site,
// whatever target runs it: is it installed, install it, wait until it
// serves, upgrade its database. They talk HTTP to a base URL, with the
// site's Host header, so WordPress sees its real address.
package wordpress

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wpstack/wpstack/internal/events"
)

// InstallKeyHeader carries the install key: the web image refuses
// wp-admin/install.php to any request without it (WPSTACK_INSTALL_LOCK), so
// no one but wpstack can complete the install of a site it manages.
const InstallKeyHeader = "X-Wpstack-Install-Key"

// InstallKey derives the install key from the site's salts secret, which the
// web container reads too: HMAC-SHA256("wpstack-install") keyed by the file's
// bytes, hex. It gives nothing of the salts away.
func InstallKey(salts []byte) string {
	m := hmac.New(sha256.New, salts)
	m.Write([]byte("wpstack-install"))
	return hex.EncodeToString(m.Sum(nil))
}

// Site is one WordPress reached over HTTP.
type Site struct {
	// Name names the site in events and errors.
	Name string
	// BaseURL is where this process reaches the site (scheme, host, port).
	BaseURL string
	// Host is the Host header the site is known by.
	Host string
	// URL is the site's public address, for messages.
	URL string
	// Title is the site's title; WaitServing looks for it.
	Title string
	// PollEvery is the wait between probes (default 250 ms).
	PollEvery time.Duration
	// TLS, for an https BaseURL, says which roots to trust and which name
	// to ask for (SNI): a site behind the edge is reached by its domain.
	TLS *tls.Config
}

// InstallOptions are what WordPress's installer asks for.
type InstallOptions struct {
	Title         string
	AdminUser     string
	AdminPassword string
	AdminEmail    string
	// Key is the install key (see InstallKey); "" for an image without the lock.
	Key string
}

func (w Site) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(w.BaseURL, "/")+path, body)
	if err != nil {
		return nil, err
	}
	req.Host = w.Host
	return req, nil
}

// Installed says whether WordPress has been installed: an uninstalled one
// redirects its home page to wp-admin/install.php.
func (w Site) Installed(ctx context.Context) (bool, error) {
	req, err := w.request(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return false, err
	}
	resp, err := w.client().Do(req)
	if err != nil {
		return false, fmt.Errorf("reach %s: %w", w.URL, err)
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
func (w Site) Install(ctx context.Context, opts InstallOptions) error {
	res := "wordpress " + w.Name
	installed, err := w.Installed(ctx)
	if err != nil {
		return err
	}
	if installed {
		events.Emit(ctx, res, events.Skipped, "already installed")
		return nil
	}
	events.Emit(ctx, res, events.Working, "installing (title, admin user, e-mail)")
	form := url.Values{
		"weblog_title":    {opts.Title},
		"user_name":       {opts.AdminUser},
		"admin_password":  {opts.AdminPassword},
		"admin_password2": {opts.AdminPassword},
		"admin_email":     {opts.AdminEmail},
		"blog_public":     {"1"},
		"Submit":          {"Install WordPress"},
	}
	req, err := w.request(ctx, http.MethodPost, "/wp-admin/install.php?step=2", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if opts.Key != "" {
		req.Header.Set(InstallKeyHeader, opts.Key)
	}
	resp, err := w.client().Do(req)
	if err != nil {
		return fmt.Errorf("install WordPress on %s: %w", w.URL, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("install WordPress on %s: installer answered %s: %s", w.URL, resp.Status, installerMessage(body))
	}
	if installed, err := w.Installed(ctx); err != nil || !installed {
		return fmt.Errorf("install WordPress on %s: the installer did not finish: %s", w.URL, installerMessage(body))
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
func (w Site) WaitServing(ctx context.Context, timeout time.Duration) error {
	res := "site " + w.Name
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	every := w.PollEvery
	if every == 0 {
		every = 250 * time.Millisecond
	}
	var last string
	for {
		ok, why := w.servesTitle(ctx)
		if ok {
			events.Emit(ctx, res, events.Done, "serving at "+w.URL)
			return nil
		}
		last = why
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("site %q does not serve its home page with its title after %s (last: %s); see `wpstack logs %s`", w.Name, timeout, last, w.Name)
			}
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

func (w Site) servesTitle(ctx context.Context) (bool, string) {
	req, err := w.request(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := w.client().Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK {
		return false, "home page answered " + resp.Status
	}
	if !TitleIn(string(body), w.Title) {
		return false, "home page does not show the title " + strconv.Quote(w.Title)
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

// client never follows redirects: an uninstalled WordPress answers its
// home page with a redirect to the installer, and that is what we look for.
func (w Site) client() *http.Client {
	c := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if w.TLS != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = w.TLS.Clone()
		// One transport per call: keep no connection behind.
		tr.DisableKeepAlives = true
		c.Transport = tr
	}
	return c
}
