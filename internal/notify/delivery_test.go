package notify

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Network failures, 5xx and 429 are retried up to Retries times; other 4xx
// and redirects are final.
func TestRetries(t *testing.T) {
	cases := []struct {
		name     string
		status   int // answered until the last attempt
		okAfter  int // attempts failing before a 200; 0: never
		retries  int
		attempts int
	}{
		{"500 then success", 500, 2, 3, 3},
		{"503 every time", 503, 0, 2, 3},
		{"429 then success", 429, 1, 3, 2},
		{"400 is final", 400, 0, 3, 1},
		{"404 is final", 404, 0, 3, 1},
		{"no retries configured", 500, 0, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(rw http.ResponseWriter, _ *http.Request, n int) {
				if tc.okAfter == 0 || n <= tc.okAfter {
					rw.WriteHeader(tc.status)
				}
			})
			logs := &logBuffer{}
			b := hookBlock("ops", rc.URL)
			b.Retries = tc.retries
			n := New([]*config.Notify{b}, Options{Logger: logs.logger(), Backoff: time.Millisecond})
			closeNotifier(t, n)
			n.Send(ev("operation.succeeded", config.EventFailover), nil)
			flush(t, n)
			reqs := rc.requests()
			if len(reqs) != tc.attempts {
				t.Fatalf("%d attempts, want %d\n%s", len(reqs), tc.attempts, logs)
			}
			id := reqs[0].header.Get(HeaderDelivery)
			for _, r := range reqs {
				if id == "" || r.header.Get(HeaderDelivery) != id {
					t.Errorf("delivery ids %q and %q: retries must carry the event's id", id, r.header.Get(HeaderDelivery))
				}
			}
			delivered := strings.Contains(logs.String(), "notification delivered")
			if want := tc.okAfter > 0; delivered != want {
				t.Errorf("delivered %v, want %v\n%s", delivered, want, logs)
			}
			if !delivered && !strings.Contains(logs.String(), fmt.Sprintf("answered %d %s", tc.status, http.StatusText(tc.status))) {
				t.Errorf("the failure does not say what the receiver answered:\n%s", logs)
			}
		})
	}
}

// A receiver that cannot be reached at all is retried, and given up.
func TestRetriesConnectionRefused(t *testing.T) {
	rc := newReceiver(t, nil)
	url := rc.URL
	rc.Close()
	logs := &logBuffer{}
	b := hookBlock("ops", url)
	b.Retries = 2
	n := New([]*config.Notify{b}, Options{Logger: logs.logger(), Backoff: time.Millisecond})
	closeNotifier(t, n)
	n.Send(ev("operation.failed", config.EventFailover), nil)
	flush(t, n)
	out := logs.String()
	if strings.Count(out, "retrying") != 2 || !strings.Contains(out, `"attempts":3`) || !strings.Contains(out, "connection refused") {
		t.Errorf("want two retries, then given up after 3 attempts, naming the refusal:\n%s", out)
	}
}

// Retry-After is honoured: the second attempt waits for it.
func TestRetryAfter(t *testing.T) {
	rc := newReceiver(t, func(rw http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			rw.Header().Set("Retry-After", "1")
			rw.WriteHeader(http.StatusTooManyRequests)
		}
	})
	b := hookBlock("ops", rc.URL)
	b.Retries = 1
	n := New([]*config.Notify{b}, Options{Backoff: time.Millisecond})
	closeNotifier(t, n)
	n.Send(ev("operation.succeeded", config.EventFailover), nil)
	flush(t, n)
	reqs := rc.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d attempts, want 2", len(reqs))
	}
	if gap := reqs[1].at.Sub(reqs[0].at); gap < 900*time.Millisecond {
		t.Errorf("retried after %s, Retry-After said 1s", gap)
	}
}

// A redirect is not followed: the body and headers reach only the
// configured URL, and the answer is reported, not retried.
func TestRedirectNotFollowed(t *testing.T) {
	elsewhere := newReceiver(t, nil)
	rc := newReceiver(t, func(rw http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(rw, r, elsewhere.URL+"/stolen", http.StatusTemporaryRedirect)
	})
	logs := &logBuffer{}
	b := hookBlock("ops", rc.URL)
	b.Retries = 3
	b.Webhook.Headers = map[string]string{"Authorization": "Bearer hdr-token-123"}
	n := New([]*config.Notify{b}, Options{Logger: logs.logger(), Backoff: time.Millisecond})
	closeNotifier(t, n)
	n.Send(ev("operation.succeeded", config.EventFailover), nil)
	flush(t, n)
	if got := len(elsewhere.requests()); got != 0 {
		t.Fatalf("the redirect was followed: %d requests elsewhere", got)
	}
	if got := len(rc.requests()); got != 1 {
		t.Errorf("%d attempts, want 1: a redirect is final", got)
	}
	if !strings.Contains(logs.String(), "a redirect, which lifeboat does not follow") {
		t.Errorf("the redirect is not reported:\n%s", logs)
	}
}

// Each attempt is bounded by the block's timeout.
func TestAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(http.ResponseWriter, *http.Request, int) { <-release })
	t.Cleanup(func() { close(release) })
	logs := &logBuffer{}
	b := hookBlock("ops", rc.URL)
	b.Timeout, b.Retries = 200*time.Millisecond, 1
	n := New([]*config.Notify{b}, Options{Logger: logs.logger(), Backoff: time.Millisecond})
	closeNotifier(t, n)
	began := time.Now()
	n.Send(ev("operation.succeeded", config.EventFailover), nil)
	flush(t, n)
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("two attempts of 200ms took %s", d)
	}
	if got := len(rc.requests()); got != 2 {
		t.Errorf("%d attempts, want 2", got)
	}
	if !strings.Contains(logs.String(), "no answer within 200ms") {
		t.Errorf("the timeout is not reported:\n%s", logs)
	}
}

func TestBackoff(t *testing.T) {
	for n := 0; n < 12; n++ {
		full := min(500*time.Millisecond<<n, backoffCap)
		for range 20 {
			d := backoff(500*time.Millisecond, n, 0)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", n, d, full/2, full)
			}
		}
	}
	if d := backoff(time.Second, 0, 2*time.Minute); d != backoffCap {
		t.Errorf("Retry-After 2m gives %s, want the cap %s", d, backoffCap)
	}
	if d := backoff(time.Second, 5, 3*time.Second); d != 3*time.Second {
		t.Errorf("Retry-After 3s gives %s", d)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if d := retryAfter(now.Add(7*time.Second).Format(http.TimeFormat), now); d != 7*time.Second {
		t.Errorf("Retry-After as a date gives %s, want 7s", d)
	}
	if d := retryAfter("soon", now); d != 0 {
		t.Errorf("a malformed Retry-After gives %s", d)
	}
}
