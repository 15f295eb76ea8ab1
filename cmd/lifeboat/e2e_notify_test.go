package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// notifyBlocks are three destinations: a webhook that never answers, a
// Slack channel, and a webhook for drills only.
const notifyBlocks = `
notify "pager" {
  webhook {
    url     = env("E2E_HANG_URL")
    headers = { Authorization = env("E2E_HANG_TOKEN") }
    secret  = env("E2E_HANG_SECRET")
  }
  timeout = "1s"
  retries = 0
}

notify "chat" {
  slack {
    url = env("E2E_SLACK_URL")
  }
}

notify "drills" {
  webhook {
    url = env("E2E_DRILL_URL")
  }
  events = ["drill"]
}
`

// slackSink records Slack messages: the event name is the first field of
// the context line.
type slackSink struct {
	mu     sync.Mutex
	events []string
	texts  []string
}

func (s *slackSink) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var msg struct {
		Text   string
		Blocks []struct {
			Type     string
			Elements []struct{ Text string }
		}
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &msg); err != nil {
		rw.WriteHeader(http.StatusBadRequest)
		return
	}
	event := ""
	for _, bl := range msg.Blocks {
		if bl.Type == "context" && len(bl.Elements) > 0 {
			event, _, _ = strings.Cut(bl.Elements[0].Text, " | ")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, event)
	s.texts = append(s.texts, msg.Text)
}

func (s *slackSink) got() ([]string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events), slices.Clone(s.texts)
}

// A failover with a webhook that never answers and a Slack channel: the
// operation does not wait for the webhook (the command exits about one
// attempt's timeout after the operation ends), Slack gets the start and
// the success, and a block for drills gets nothing.
func TestNotifyNeverBlocksFailover(t *testing.T) {
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(hang) }) // runs first: the server's Close waits for its handlers
	sink := &slackSink{}
	slack := httptest.NewServer(sink)
	t.Cleanup(slack.Close)
	var drillHits sync.Mutex
	drillCount := 0
	drills := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		drillHits.Lock()
		drillCount++
		drillHits.Unlock()
	}))
	t.Cleanup(drills.Close)

	w := newWorld(t, worldOptions{})
	f, err := os.OpenFile(w.cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(notifyBlocks); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	const hangToken, hangHeader, hangSecret, slackToken = "hang-url-token-31", "Bearer hang-header-41", "hang-hmac-59", "slack-url-token-26"
	w.extraEnv = []string{
		"E2E_HANG_URL=" + hanging.URL + "/hook/" + hangToken, "E2E_HANG_TOKEN=" + hangHeader, "E2E_HANG_SECRET=" + hangSecret,
		"E2E_SLACK_URL=" + slack.URL + "/services/" + slackToken, "E2E_DRILL_URL=" + drills.URL + "/drills",
	}
	w.startAlpha()
	w.cutOffAlpha()

	began := time.Now()
	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	wall := time.Since(began)
	if r.code != 0 {
		t.Fatalf("failover: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)
	for _, s := range []string{hangToken, hangHeader, hangSecret, slackToken, hanging.Listener.Addr().String()} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("the output holds %q:\n%s%s", s, r.stdout, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "queued for chat, drills, pager") {
		t.Errorf("the notify step does not say it queued:\n%s", r.stdout)
	}

	// What the webhook may cost: the command outlives its operation by one
	// attempt's timeout (1s) plus start-up and planning, never by the
	// default 10s × 4 attempts of a blocking webhook.
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("history %+v", ops)
	}
	op := ops[0]
	inOp := op.Finished.Sub(op.Started)
	if extra := wall - inOp; extra > 4*time.Second {
		t.Errorf("the command took %s, %s more than its operation (%s)", wall, extra, inOp)
	}
	if st, ok := op.Step("www/bravo/notify"); !ok || st.Finished.Sub(st.Started) > time.Second {
		t.Errorf("the notify step took %s, want it only to queue", st.Finished.Sub(st.Started))
	}

	events, texts := sink.got()
	if !slices.Equal(events, []string{"operation.started", "operation.succeeded"}) {
		t.Errorf("Slack got %v (%q), want operation.started then operation.succeeded", events, texts)
	} else if !strings.HasPrefix(texts[0], "failover of www from alpha to bravo started") ||
		!strings.HasPrefix(texts[1], "failover of www from alpha to bravo succeeded") {
		t.Errorf("Slack texts %q", texts)
	}
	drillHits.Lock()
	defer drillHits.Unlock()
	if drillCount != 0 {
		t.Errorf("the drills block got %d requests for a failover", drillCount)
	}
}
