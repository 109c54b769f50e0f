//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// swarmMail: without --smtp a swarm site's mail is kept in one mailbox on
// its shared storage, whichever node's replica sent it, and `wpstack mail`
// reads it on the manager; the web never serves it.
func swarmMail(t *testing.T, e *env, edge *edgeClient, name string) {
	ctx := context.Background()
	// Ask for password resets until replicas on two nodes have each sent one.
	form := url.Values{"user_login": {"admin"}, "redirect_to": {""}, "wp-submit": {"Get New Password"}}.Encode()
	sent, by := 0, map[string]int{}
	for i := 0; i < 12 && len(by) < 2; i++ {
		code, body, replica, err := edge.do(ctx, http.MethodPost, "/wp-login.php?action=lostpassword", strings.NewReader(form), "application/x-www-form-urlencoded")
		if err != nil {
			t.Fatalf("lost password: %v", err)
		}
		if code != http.StatusFound {
			t.Fatalf("lost password via %s: %d, want a redirect to checkemail=confirm: %.400s", replica, code, body)
		}
		sent++
		by[replica]++
	}
	if len(by) < 2 {
		t.Fatalf("%d resets were all served by %v, want two replicas", sent, by)
	}
	r := e.mustRun("mail", name, "--json")
	t.Logf("MEASURE mail --json on a swarm (data job on the manager): %s", r.took)
	var res struct {
		Messages []struct {
			N       int    `json:"n"`
			ID      string `json:"id"`
			To      string `json:"to"`
			Subject string `json:"subject"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("mail --json: %v\n%s", err, r.stdout)
	}
	resets := 0
	for _, m := range res.Messages {
		if m.To == "admin@example.com" && strings.Contains(m.Subject, "Password Reset") {
			resets++
		}
	}
	if resets != sent {
		t.Fatalf("the mailbox holds %d reset mails, want the %d sent by replicas %v: %+v", resets, sent, by, res.Messages)
	}
	last := res.Messages[len(res.Messages)-1]
	msg := e.mustRun("mail", name, "--show", fmt.Sprint(last.N)).stdout
	if !regexp.MustCompile(`wp-login\.php\?(action=rp&key=|login=)`).MatchString(msg) {
		t.Errorf("message %d has no reset link:\n%.2000s", last.N, msg)
	}
	// The mailbox is in wp-content, under the webroot: never served.
	code, body, _, err := edge.do(ctx, http.MethodGet, "/wp-content/.wpstack-mail/new/"+last.ID, nil, "")
	if err != nil || code != http.StatusForbidden || strings.Contains(string(body), "rp&key=") {
		t.Errorf("GET the message over the web: %d %v, want 403: %.300s", code, err, body)
	}
}
