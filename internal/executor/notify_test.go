package executor

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// A failed operation is notified too: the only other candidate never
// becomes healthy and the planner has nothing after it.
func TestNotifyFailedOperation(t *testing.T) {
	w := newWorld(t, "alpha", "bravo")
	w.setHealthy("bravo", false)
	rep, err := w.executor(nil).Start(context.Background(), w.plan(), "manual")
	if !errors.Is(err, ErrUnhealthy) {
		t.Fatalf("start: err %v, want ErrUnhealthy", err)
	}
	notes := w.notifications()
	if len(notes) != 1 {
		t.Fatalf("notifications %+v, want one", notes)
	}
	n := notes[0]
	// The event name is what webhook receivers filter on: spelled out.
	if n.Event != "operation.failed" || n.OK || n.Error == "" || n.Service != testService || n.Operation != rep.Operation {
		t.Errorf("notification %+v, want operation.failed, not OK, with the error", n)
	}
	if len(n.Timeline) == 0 {
		t.Error("the failure notification carries no timeline")
	}
	op := w.operation(rep.Operation)
	if op.Status != journal.StatusFailed {
		t.Errorf("operation %s, want failed", op.Status)
	}
	if u, err := w.journal.Unfinished(context.Background()); err != nil || u != nil {
		t.Errorf("Unfinished = %v, %v: a failed operation is finished", u, err)
	}
	for name, f := range w.dns {
		if f.setCount() != 0 {
			t.Errorf("DNS written at %s for a target that never became healthy", name)
		}
	}
	if p := w.placement(); p != "" {
		t.Errorf("placement %q, want none", p)
	}
}

// A context cancelled while the success notification is being sent leaves
// the notify step not done: the operation stays unfinished and a resumed
// run sends the notification again.
func TestNotifyInterruptedIsSentOnResume(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.onNotify = func(nctx context.Context, n Notification) error {
		if n.Event != EventSucceeded {
			return nil
		}
		cancel()
		return nctx.Err()
	}
	_, err := w.executor(nil).Start(ctx, w.plan(), "manual")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("start: err %v, want context.Canceled", err)
	}
	op := w.unfinished()
	if op.Done("www/bravo/notify") {
		t.Fatal("the interrupted notify step is journaled done")
	}
	if got := attempts(op, "www/bravo/verify-dns"); !slices.Equal(got, []journal.StepStatus{journal.StepOK}) {
		t.Fatalf("verify-dns attempts %v, want one ok", got)
	}

	w.mu.Lock()
	w.onNotify = nil
	w.mu.Unlock()
	before := len(w.notifications())
	rep, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if len(rep.Services) != 1 || !rep.Services[0].OK {
		t.Errorf("report %+v", rep)
	}
	sent := w.notifications()[before:]
	if len(sent) != 1 || sent[0].Event != EventSucceeded || !sent[0].OK || sent[0].To != "bravo" {
		t.Errorf("resume sent %+v, want the success notification once", sent)
	}
	done := w.operation(op.ID)
	if done.Status != journal.StatusSucceeded || !done.Done("www/bravo/notify") {
		t.Errorf("operation %s, notify done %v; want succeeded and done", done.Status, done.Done("www/bravo/notify"))
	}
	if n := w.count("bravo/apply"); n != 1 {
		t.Errorf("bravo applied %d times, want 1", n)
	}
}

// A context cancelled in the middle of apply leaves apply not done and the
// operation unfinished; the resumed run applies again and finishes.
func TestCancelDuringApplyResumes(t *testing.T) {
	w := newWorld(t)
	w.blockOn["bravo/apply"] = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := w.executor(func(key, phase string) {
		if key == "www/bravo/apply" && phase == "started" {
			cancel() // the blocked apply sees it
		}
	})
	_, err := e.Start(ctx, w.plan(), "manual")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("start: err %v, want context.Canceled", err)
	}
	op := w.unfinished()
	if op.Done("www/bravo/apply") {
		t.Fatal("the interrupted apply is journaled done")
	}
	notes := w.notifications()
	if len(notes) != 1 || notes[0].Event != EventInterrupted || notes[0].OK {
		t.Errorf("notifications %+v, want one %s", notes, EventInterrupted)
	}

	w.mu.Lock()
	w.blockOn["bravo/apply"] = false
	w.mu.Unlock()
	if _, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if n := w.count("bravo/apply"); n != 2 {
		t.Errorf("bravo applied %d times, want 2 (interrupted, then resumed)", n)
	}
	if n := w.count("bravo/prepare"); n != 1 {
		t.Errorf("bravo prepared %d times, want 1", n)
	}
	if st := w.operation(op.ID).Status; st != journal.StatusSucceeded {
		t.Errorf("operation %s, want succeeded", st)
	}
	w.wantDNS("bravo", "dns-a", "dns-b")
}
