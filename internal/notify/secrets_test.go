package notify

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Whatever goes wrong, the log names the block and the event, never the
// URL (nor its host and port), a header value or the signing secret.
func TestNothingSecretInLogs(t *testing.T) {
	const token, header, secret = "url-token-4711", "hdr-token-0815", "hmac-secret-2342"
	release := make(chan struct{})
	failing := newReceiver(t, func(rw http.ResponseWriter, _ *http.Request, _ int) { rw.WriteHeader(http.StatusBadGateway) })
	redirecting := newReceiver(t, func(rw http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(rw, r, "/elsewhere/"+token, http.StatusFound)
	})
	hanging := newReceiver(t, func(http.ResponseWriter, *http.Request, int) { <-release })
	t.Cleanup(func() { close(release) })
	refused := newReceiver(t, nil)
	refusedURL := refused.URL
	refused.Close()

	var blocks []*config.Notify
	var hosts []string
	for i, base := range []string{failing.URL, redirecting.URL, hanging.URL, refusedURL} {
		u, _ := url.Parse(base)
		hosts = append(hosts, u.Host)
		b := hookBlock("ops"+string(rune('a'+i)), base+"/hook/"+token)
		b.Webhook.Headers = map[string]string{"Authorization": "Bearer " + header}
		b.Webhook.Secret = secret
		b.Timeout, b.Retries = 300*time.Millisecond, 1
		blocks = append(blocks, b)
	}
	blocks = append(blocks, &config.Notify{Name: "chat", Slack: &config.Slack{URL: failing.URL + "/services/" + token}, Timeout: time.Second, Retries: 1})
	logs := &logBuffer{}
	var redacted atomic.Int32
	n := New(blocks, Options{Logger: logs.logger(), Backoff: time.Millisecond, Redact: func(s string) string {
		redacted.Add(1)
		return strings.ReplaceAll(s, token, "<hidden>")
	}})
	n.Send(ev("operation.failed", config.EventFailover), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	out := logs.String()
	for _, s := range append([]string{token, header, secret, "/hook/", "/services/"}, hosts...) {
		if strings.Contains(out, s) {
			t.Errorf("the log holds %q:\n%s", s, out)
		}
	}
	// The log is not empty: each block's failure is there, by name.
	for _, b := range blocks {
		if !strings.Contains(out, `"notify":"`+b.Name+`"`) {
			t.Errorf("block %s's failure is not logged:\n%s", b.Name, out)
		}
	}
	if redacted.Load() == 0 {
		t.Error("the log text did not go through Redact")
	}
}
