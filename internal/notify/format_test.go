package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// The generic webhook gets the Event as JSON with the configured headers,
// and a signature over the timestamp and the exact body that verifies with
// the secret, computed here independently of Sign.
func TestWebhookBodyAndSignature(t *testing.T) {
	rc := newReceiver(t, nil)
	b := hookBlock("ops", rc.URL+"/hook")
	b.Webhook.Secret = "hmac-secret-value"
	b.Webhook.Headers = map[string]string{"X-Team": "infra", HeaderSignature: "forged"}
	n := New([]*config.Notify{b}, Options{})
	closeNotifier(t, n)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	sent := Event{Event: "operation.succeeded", Category: config.EventFailover, At: at, OK: true, Summary: "www moved",
		Service: "www", Operation: "op-1", Details: map[string]any{"from": "alpha", "to": "bravo"}}
	before := time.Now().Unix()
	n.Send(sent, nil)
	flush(t, n)
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.path != "/hook" || r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Team") != "infra" {
		t.Errorf("path %q, headers %v", r.path, r.header)
	}
	var got Event
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Event != sent.Event || got.Category != "failover" || !got.At.Equal(at) || !got.OK || got.Summary != "www moved" ||
		got.Service != "www" || got.Operation != "op-1" || got.Details.(map[string]any)["to"] != "bravo" {
		t.Errorf("body %s", r.body)
	}

	ts := r.header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < before || sec > time.Now().Unix() {
		t.Fatalf("timestamp %q is not the time of sending", ts)
	}
	mac := hmac.New(sha256.New, []byte("hmac-secret-value"))
	mac.Write([]byte(ts + "." + string(r.body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if sig := r.header.Get(HeaderSignature); sig != want {
		t.Errorf("signature %q, want %q (a configured header must not replace it)", sig, want)
	}
	if err := Verify("hmac-secret-value", want, ts, r.body, 0); err != nil {
		t.Errorf("Verify refuses the right signature: %v", err)
	}
	if !errors.Is(Verify("another-secret", want, ts, r.body, 0), ErrBadSignature) ||
		!errors.Is(Verify("hmac-secret-value", want, ts, append(r.body, ' '), 0), ErrBadSignature) ||
		!errors.Is(Verify("hmac-secret-value", want, strconv.FormatInt(sec+1, 10), r.body, 0), ErrBadSignature) {
		t.Error("Verify accepts a wrong secret, body or timestamp")
	}
}

// Without a secret nothing is signed.
func TestWebhookUnsigned(t *testing.T) {
	rc := newReceiver(t, nil)
	n := New([]*config.Notify{hookBlock("ops", rc.URL)}, Options{})
	closeNotifier(t, n)
	n.Send(ev("operation.started", config.EventFailover), nil)
	flush(t, n)
	r := rc.requests()[0]
	if r.header.Get(HeaderSignature) != "" || r.header.Get(HeaderTimestamp) != "" {
		t.Errorf("unsigned block sent %v", r.header)
	}
}

// Slack gets an incoming-webhook message: the summary, folded to one line
// and escaped, as the text, and a context line.
func TestSlackMessage(t *testing.T) {
	rc := newReceiver(t, nil)
	n := New([]*config.Notify{slackNotify("chat", rc.URL)}, Options{})
	closeNotifier(t, n)
	n.Send(Event{Event: "operation.failed", Category: config.EventFailover, Summary: "failover of www failed:\n<bravo> & co",
		Service: "www", Operation: "op-9", Details: map[string]string{"secret-ish": "timeline"}}, nil)
	n.Send(Event{Event: "drill.passed", Category: config.EventDrill, Service: "api"}, nil)
	flush(t, n)
	reqs := rc.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var msg struct {
		Text   string
		Blocks []struct {
			Type     string
			Text     struct{ Text string }
			Elements []struct{ Text string }
		}
	}
	if err := json.Unmarshal(reqs[0].body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Text != "failover of www failed: &lt;bravo&gt; &amp; co" {
		t.Errorf("text %q", msg.Text)
	}
	if len(msg.Blocks) != 2 || msg.Blocks[0].Text.Text != msg.Text || len(msg.Blocks[1].Elements) != 1 ||
		!strings.Contains(msg.Blocks[1].Elements[0].Text, "operation.failed | www | op-9") {
		t.Errorf("blocks %+v", msg.Blocks)
	}
	if strings.Contains(string(reqs[0].body), "timeline") {
		t.Errorf("Slack got the details: %s", reqs[0].body)
	}
	if err := json.Unmarshal(reqs[1].body, &msg); err != nil || msg.Text != "lifeboat: drill.passed for api" {
		t.Errorf("an event without a summary reads %q (%v)", msg.Text, err)
	}
}

func TestOneLine(t *testing.T) {
	long := strings.Repeat("é", 50)
	if got := oneLine(long, 10); got != strings.Repeat("é", 7)+"..." {
		t.Errorf("oneLine cut to %q", got)
	}
	if got := oneLine(" a\n\tb  c ", 10); got != "a b c" {
		t.Errorf("oneLine(%q) = %q", " a\n\tb  c ", got)
	}
}
