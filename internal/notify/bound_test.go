package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// An event carrying megabytes (a transition quoting a hostile target's
// 9 MiB header) reaches a real receiver as a bounded, valid body that
// still names the event; a small one arrives whole.
func TestBodyBounded(t *testing.T) {
	huge := strings.Repeat("H", 9<<20)
	rc := newReceiver(t, nil)
	slack := newReceiver(t, nil)
	n := New([]*config.Notify{hookBlock("ops", rc.URL), slackNotify("chat", slack.URL)}, Options{Backoff: time.Millisecond})
	closeNotifier(t, n)
	big := ev("provider.state_changed", config.EventProviderState)
	big.Summary, big.Error = "alpha: healthy → down: "+huge, huge
	big.Details = map[string]any{"evidence": []string{huge, huge}}
	n.Send(big, nil)
	n.Send(ev("operation.succeeded", config.EventFailover), nil)
	flush(t, n)

	for _, r := range append(rc.requests(), slack.requests()...) {
		if len(r.body) > MaxBody {
			t.Fatalf("a body of %d bytes reached %s, want at most %d", len(r.body), r.path, MaxBody)
		}
		if !json.Valid(r.body) {
			t.Fatalf("body is not JSON: %.200s", r.body)
		}
	}
	reqs := rc.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d webhook requests, want 2", len(reqs))
	}
	var got Event
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Event != "provider.state_changed" || !strings.HasPrefix(got.Summary, "alpha: healthy → down: ") || len(got.Summary) > maxField {
		t.Fatalf("the cut event lost what it is: event %q summary %.80q (%d bytes)", got.Event, got.Summary, len(got.Summary))
	}
	if s, _ := got.Details.(string); !strings.Contains(s, "left out") {
		t.Fatalf("details not replaced by a note: %.80v", got.Details)
	}
	var small Event
	if err := json.Unmarshal(reqs[1].body, &small); err != nil || small.Summary != "operation.succeeded happened" {
		t.Fatalf("a small event was changed: %+v %v", small, err)
	}
}
