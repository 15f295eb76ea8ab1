package engine

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
)

// hookServer records the JSON bodies it receives on loopback.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	got    chan struct{}
}

func newHookServer(t *testing.T, hang <-chan struct{}) *hookServer {
	t.Helper()
	h := &hookServer{got: make(chan struct{}, 16)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, m)
		h.mu.Unlock()
		select {
		case h.got <- struct{}{}:
		default:
		}
		if hang != nil {
			<-hang
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) received() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

// notifyConfig parses notify blocks whose URLs come from env(), as a
// user's would, so that they are secrets the configuration redacts.
func notifyConfig(t *testing.T, hcl string, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("lifeboat.hcl", []byte(hcl), config.Options{LookupEnv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatalf("configuration: %v", err)
	}
	return cfg
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.WriteString(string(p))
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Engine.Notify queues and returns at once, whatever the receivers do; the
// Slack block gets the failover's notification promptly though another
// block hangs, a block for drills only gets nothing, and Close waits for
// the hanging block no longer than its timeout × (retries+1).
func TestNotifyQueuesWithoutBlocking(t *testing.T) {
	hang := make(chan struct{})
	hanging := newHookServer(t, hang)
	t.Cleanup(func() { close(hang) })
	slack, drills := newHookServer(t, nil), newHookServer(t, nil)
	cfg := notifyConfig(t, `
notify "pager" {
  webhook {
    url     = env("PAGER_URL")
    headers = { Authorization = env("PAGER_TOKEN") }
  }
  timeout = "1s"
  retries = 0
}
notify "chat" {
  slack {
    url = env("SLACK_URL")
  }
  events = ["failover"]
}
notify "drills" {
  webhook {
    url = env("DRILL_URL")
  }
  events = ["drill"]
}
`, map[string]string{"PAGER_URL": hanging.URL + "/p/pager-url-token", "PAGER_TOKEN": "Bearer pager-header-token",
		"SLACK_URL": slack.URL + "/services/slack-url-token", "DRILL_URL": drills.URL + "/d/drill-url-token"})
	logs := &syncBuffer{}
	e := New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	n := executor.Notification{Event: executor.EventSucceeded, OK: true, Operation: "00000007", Kind: "manual",
		Service: "www", From: "alpha", To: "bravo", Addresses: []string{"192.0.2.2"}, Elapsed: 42}
	began := time.Now()
	for _, ev := range []string{executor.EventStarted, executor.EventSucceeded} {
		n.Event = ev
		if err := e.Notify(context.Background(), []string{"pager", "chat", "drills"}, n); err != nil {
			t.Fatalf("Notify: %v", err)
		}
	}
	if d := time.Since(began); d > 200*time.Millisecond {
		t.Errorf("Notify took %s: it must only queue", d)
	}
	for range 2 {
		select {
		case <-slack.got:
		case <-time.After(2 * time.Second):
			t.Fatal("the Slack block did not get both events promptly")
		}
	}
	texts := []string{}
	for _, m := range slack.received() {
		texts = append(texts, m["text"].(string))
	}
	want := []string{"failover of www from alpha to bravo started", "failover of www from alpha to bravo succeeded in 42s"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("Slack texts %q, want %q", texts, want)
	}

	began = time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 2500*time.Millisecond {
		t.Errorf("Close took %s with a block of timeout 1s and no retries", d)
	}
	if got := drills.received(); len(got) != 0 {
		t.Errorf("the drills block got %v", got)
	}
	// The first attempt timed out after 1s; the second event's was cut
	// short by Close, if it began at all.
	if got := hanging.received(); len(got) == 0 || len(got) > 2 || got[0]["event"] != executor.EventStarted {
		t.Errorf("the hanging block got %v, want the started event first", got)
	}
	out := logs.String()
	if !strings.Contains(out, "pager") {
		t.Errorf("the undelivered notification is not logged:\n%s", out)
	}
	for _, s := range []string{"url-token", "header-token", hanging.Listener.Addr().String()} {
		if strings.Contains(out, s) {
			t.Errorf("the log holds %q:\n%s", s, out)
		}
	}
}

// The generic webhook's body is the event; its details are the
// notification, timeline and all; the category follows the kind.
func TestNotifyWebhookBody(t *testing.T) {
	hook := newHookServer(t, nil)
	cfg := notifyConfig(t, `
notify "ops" {
  webhook {
    url = env("HOOK_URL")
  }
  events = ["failback"]
}
`, map[string]string{"HOOK_URL": hook.URL + "/hook"})
	e := New(cfg, nil)
	n := executor.Notification{Event: executor.EventFailed, Operation: "00000003", Kind: "failback", Service: "www",
		From: "bravo", To: "alpha", Error: "target did not become healthy", Elapsed: 5}
	_ = e.Notify(context.Background(), []string{"ops"}, n)
	n.Kind = "manual" // a failover: not for this block
	_ = e.Notify(context.Background(), []string{"ops"}, n)
	// Without notify names (a plan without a notify step) nothing is sent.
	n.Kind = "failback"
	_ = e.Notify(context.Background(), nil, n)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	got := hook.received()
	if len(got) != 1 {
		t.Fatalf("received %d events, want 1: %v", len(got), got)
	}
	m := got[0]
	details, _ := m["details"].(map[string]any)
	if m["event"] != "operation.failed" || m["category"] != "failback" || m["ok"] != false || m["service"] != "www" ||
		m["operation"] != "00000003" || m["error"] != "target did not become healthy" || details["to"] != "alpha" ||
		m["summary"] != "failback of www from bravo to alpha failed after 5s: target did not become healthy" {
		t.Errorf("body %v", m)
	}
}

// Announce goes to every block whose events include the category.
func TestAnnounce(t *testing.T) {
	decisions, all, drills := newHookServer(t, nil), newHookServer(t, nil), newHookServer(t, nil)
	cfg := notifyConfig(t, `
notify "decisions" {
  webhook {
    url = env("A")
  }
  events = ["decision", "provider_state"]
}
notify "all" {
  webhook {
    url = env("B")
  }
}
notify "drills" {
  webhook {
    url = env("C")
  }
  events = ["drill"]
}
`, map[string]string{"A": decisions.URL, "B": all.URL, "C": drills.URL})
	e := New(cfg, nil)
	e.Announce(notify.Event{Event: notify.EventDecisionHeldBack, Category: config.EventDecision, Summary: "held back: cooldown"})
	e.Announce(notify.Event{Event: notify.EventProviderState, Category: config.EventProviderState, Provider: "alpha"})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if len(decisions.received()) != 2 || len(all.received()) != 2 || len(drills.received()) != 0 {
		t.Errorf("received decisions %d, all %d, drills %d; want 2, 2, 0",
			len(decisions.received()), len(all.received()), len(drills.received()))
	}
}

func TestNotifyDrain(t *testing.T) {
	block := func(timeout time.Duration, retries int) *config.Notify {
		return &config.Notify{Timeout: timeout, Retries: retries}
	}
	cases := []struct {
		blocks []*config.Notify
		want   time.Duration
	}{
		{nil, 0},
		{[]*config.Notify{block(time.Second, 0)}, time.Second},
		{[]*config.Notify{block(time.Second, 0), block(2*time.Second, 3)}, 8 * time.Second},
		{[]*config.Notify{block(10*time.Second, 3)}, 40 * time.Second},
		{[]*config.Notify{block(30*time.Second, 3)}, time.Minute},
	}
	for _, tc := range cases {
		if got := notifyDrain(tc.blocks); got != tc.want {
			t.Errorf("notifyDrain(%d blocks) = %s, want %s", len(tc.blocks), got, tc.want)
		}
	}
}
