package executor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Start announces the operation to the plan's notify blocks before any
// step runs; a resumed run does not announce it again.
func TestNotifyStartedOnStartOnly(t *testing.T) {
	w := newWorld(t)
	w.blockOn["bravo/apply"] = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var callsAtStart int
	w.onNotify = func(_ context.Context, n Notification) error {
		if n.Event == EventStarted {
			w.mu.Lock()
			callsAtStart = len(w.calls)
			w.mu.Unlock()
		}
		return nil
	}
	e := w.executor(func(key, phase string) {
		if key == "www/bravo/apply" && phase == "started" {
			cancel()
		}
	})
	rep, err := e.Start(ctx, w.plan(), "manual")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("start: err %v, want context.Canceled", err)
	}
	started := w.started()
	if len(started) != 1 {
		t.Fatalf("started notifications %+v, want one", started)
	}
	s := started[0]
	if !s.OK || s.Operation != rep.Operation || s.Kind != "manual" || s.Service != testService || s.From != "alpha" || s.To != "bravo" {
		t.Errorf("started notification %+v", s)
	}
	if callsAtStart != 0 {
		t.Errorf("operation.started sent after %d workspace calls, want before any step", callsAtStart)
	}

	w.mu.Lock()
	w.blockOn["bravo/apply"] = false
	w.onNotify = nil
	w.mu.Unlock()
	if _, err := w.executor(nil).Resume(context.Background(), w.unfinished(), ResumeOptions{}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if got := len(w.started()); got != 1 {
		t.Errorf("%d started notifications after the resume, want still 1", got)
	}
}

// The notify step only queues: it is journaled ok, saying so, and every
// call to Notify is bounded, so a hook that blocks cannot hold the
// operation for ever.
func TestNotifyStepQueuesAndIsBounded(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	deadlines := map[string]time.Duration{}
	w.onNotify = func(ctx context.Context, n Notification) error {
		mu.Lock()
		defer mu.Unlock()
		if dl, ok := ctx.Deadline(); ok {
			deadlines[n.Event] = time.Until(dl)
		} else {
			deadlines[n.Event] = -1
		}
		return nil
	}
	var msgs []string
	env := w.env(nil)
	env.Progress = func(ev Event) {
		if ev.Step == "www/bravo/notify" && ev.Phase == PhaseDone {
			msgs = append(msgs, ev.Message)
		}
	}
	e, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Start(context.Background(), w.plan(), "manual")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	for _, event := range []string{EventStarted, EventSucceeded} {
		if d, ok := deadlines[event]; !ok || d <= 0 || d > notifyTimeout {
			t.Errorf("%s: Notify called with %v left (-1: no deadline), want at most %s", event, d, notifyTimeout)
		}
	}
	if len(msgs) != 1 || msgs[0] != "queued for ops" {
		t.Errorf("notify step said %q, want queued for ops", msgs)
	}
	op := w.operation(rep.Operation)
	st, ok := op.Step("www/bravo/notify")
	if !ok || st.Outputs["notify"] != "queued for ops" {
		t.Errorf("notify step journaled %+v", st)
	}
}
