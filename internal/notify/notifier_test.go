package notify

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func ev(name, category string) Event {
	return Event{Event: name, Category: category, Summary: name + " happened", Service: "www"}
}

// Each block gets exactly the events its events list names; a block with
// no list gets all; names narrow the blocks.
func TestSendFiltersByEvents(t *testing.T) {
	sl, hook, all := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	n := New([]*config.Notify{
		slackNotify("chat", sl.URL, config.EventFailover, config.EventFailback),
		hookBlock("pager", hook.URL, config.EventDrill, config.EventDecision),
		hookBlock("all", all.URL),
	}, Options{})
	closeNotifier(t, n)

	n.Send(ev("operation.started", config.EventFailover), nil)
	n.Send(ev("drill.passed", config.EventDrill), nil)
	n.Send(ev("provider.state_changed", config.EventProviderState), nil)
	n.Send(ev("decision.held_back", config.EventDecision), nil)
	n.Send(ev("operation.succeeded", config.EventFailback), nil)
	// Only the blocks named: pager is not, so it never sees this drill.
	n.Send(ev("drill.failed", config.EventDrill), []string{"chat", "all"})
	// An empty list of names is nobody.
	n.Send(ev("drill.aborted", config.EventDrill), []string{})
	flush(t, n)

	var texts []string
	for _, r := range sl.requests() {
		texts = append(texts, string(r.body))
	}
	if len(texts) != 2 || !strings.Contains(texts[0], "operation.started happened") || !strings.Contains(texts[1], "operation.succeeded happened") {
		t.Errorf("slack got %q, want the failover and the failback events only", texts)
	}
	if got, want := hook.events(t), []string{"drill.passed", "decision.held_back"}; !slices.Equal(got, want) {
		t.Errorf("pager got %v, want %v", got, want)
	}
	want := []string{"operation.started", "drill.passed", "provider.state_changed", "decision.held_back", "operation.succeeded", "drill.failed"}
	if got := all.events(t); !slices.Equal(got, want) {
		t.Errorf("all got %v, want %v", got, want)
	}
}

// A receiver that never answers: Send returns at once, another block's
// receiver gets its event promptly, and Close gives up within its bound.
func TestHangingReceiverDelaysNobody(t *testing.T) {
	release := make(chan struct{})
	hang := newReceiver(t, func(http.ResponseWriter, *http.Request, int) { <-release })
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
	fast := newReceiver(t, nil)
	logs := &logBuffer{}
	slow := hookBlock("slow", hang.URL)
	slow.Timeout, slow.Retries = 10*time.Second, 3
	n := New([]*config.Notify{slow, hookBlock("fast", fast.URL)}, Options{Logger: logs.logger()})

	began := time.Now()
	n.Send(ev("operation.started", config.EventFailover), nil)
	hang.wait(t, 5*time.Second) // the slow block's worker is now stuck in its request
	for i := 0; i < 20; i++ {
		n.Send(ev("operation.succeeded", config.EventFailover), nil)
	}
	if d := time.Since(began); d > time.Second {
		t.Fatalf("Send took %s with a hanging receiver", d)
	}
	fast.wait(t, 2*time.Second)
	for range 20 {
		fast.wait(t, 2*time.Second)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began = time.Now()
	err := n.Close(ctx)
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("Close took %s, bounded by 300ms", d)
	}
	if err == nil {
		t.Error("Close returned nil with events undelivered")
	}
	if got := len(fast.requests()); got != 21 {
		t.Errorf("fast receiver got %d events, want 21", got)
	}
	if !strings.Contains(logs.String(), "lifeboat stopped first") {
		t.Errorf("the events given up are not logged:\n%s", logs)
	}
	// After Close nothing is sent, and Send still does not block.
	n.Send(ev("operation.failed", config.EventFailover), nil)
	if got := len(fast.requests()); got != 21 {
		t.Errorf("an event sent after Close was delivered")
	}
}

// A full queue drops its oldest waiting event, logs it, and delivers the rest.
func TestFullQueueDropsOldest(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(_ http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			<-release
		}
	})
	logs := &logBuffer{}
	n := New([]*config.Notify{hookBlock("ops", rc.URL)}, Options{Logger: logs.logger(), QueueSize: 2})
	closeNotifier(t, n)
	n.Send(ev("e1", config.EventFailover), nil)
	rc.wait(t, 5*time.Second) // e1 in flight, the queue empty
	for _, name := range []string{"e2", "e3", "e4"} {
		n.Send(ev(name, config.EventFailover), nil)
	}
	close(release)
	flush(t, n)
	if got, want := rc.events(t), []string{"e1", "e3", "e4"}; !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
	if !strings.Contains(logs.String(), "dropped the oldest event") || !strings.Contains(logs.String(), `"event":"e2"`) {
		t.Errorf("the drop is not logged:\n%s", logs)
	}
}

// Close with nothing queued returns at once; a nil notifier does nothing.
func TestCloseIdle(t *testing.T) {
	n := New([]*config.Notify{hookBlock("ops", "http://127.0.0.1:1/")}, Options{})
	began := time.Now()
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("idle Close took %s", d)
	}
	var none *Notifier
	none.Send(ev("x", config.EventFailover), nil)
	if err := none.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
