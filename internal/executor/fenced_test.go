package executor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// A leader whose term ends while it waits for the target's checks stops
// at once and says it lost the leadership, not that the target did not
// become healthy after the step's timeout, and does not reject the target
// to try the next one (the new leader resumes the operation).
func TestLostLeadershipDuringWaitHealthyIsSaidSo(t *testing.T) {
	w := newWorld(t)
	w.setHealthy("bravo", false)
	ctx, end := context.WithCancelCause(context.Background())
	var events []Event
	env := w.env(func(key, phase string) {
		if key == "www/bravo/wait-healthy" && phase == "started" {
			time.AfterFunc(100*time.Millisecond, func() {
				end(errors.Join(journal.ErrLostLeadership, errors.New("the etcd lease expired")))
			})
		}
	})
	env.Progress = func(ev Event) { events = append(events, ev) }
	e, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = e.Start(ctx, w.plan(), "manual")
	if took := time.Since(began); took > 30*time.Second {
		t.Errorf("the step went on for %s after the leadership ended", took)
	}
	if !errors.Is(err, journal.ErrLostLeadership) || errors.Is(err, ErrUnhealthy) {
		t.Fatalf("err = %v, want ErrLostLeadership and not ErrUnhealthy", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "lost the leadership (fenced)") || strings.Contains(msg, "did not become healthy") {
		t.Errorf("err says %q", msg)
	}
	if len(w.replans) != 0 {
		t.Errorf("the target was rejected and the planner asked again: %v", w.replans)
	}
	for _, ev := range events {
		if ev.Phase == PhaseFailed && !strings.Contains(ev.Message, "lost the leadership (fenced)") {
			t.Errorf("a failed step's event says %q, not that the leadership was lost", ev.Message)
		}
	}
}
