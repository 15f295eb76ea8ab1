package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// notifyDrainCap bounds how long Close waits for notifications: a command
// delivers before it exits, but a hanging receiver cannot hold it longer.
const notifyDrainCap = 60 * time.Second

// notifyEvent is the notify.events name an operation's notification
// belongs to: failover, failback or drill.
func notifyEvent(kind string) string {
	switch planner.Kind(kind) {
	case planner.KindFailback:
		return config.EventFailback
	case planner.KindDrill:
		return config.EventDrill
	}
	return config.EventFailover
}

// Notify queues the notification for the named notify blocks whose events
// include its kind, and returns at once: delivery, retries included, runs
// in the background, so a failed or hanging receiver never fails or delays
// the operation. Close waits for it, within a bound.
func (e *Engine) Notify(_ context.Context, names []string, n executor.Notification) error {
	if names == nil {
		names = []string{} // nil would mean every block
	}
	e.notifier.Send(operationEvent(n, time.Now()), names)
	return nil
}

// Announce queues ev for every notify block whose events include its
// category: the daemon's decisions, drill reports and provider state
// changes.
func (e *Engine) Announce(ev notify.Event) {
	e.notifier.Send(ev, nil)
}

// operationEvent is the notify event of an operation's notification; its
// details are the notification itself, timeline included.
func operationEvent(n executor.Notification, at time.Time) notify.Event {
	return notify.Event{
		Event: n.Event, Category: notifyEvent(n.Kind), At: at, OK: n.OK,
		Summary: operationSummary(n), Service: n.Service, Operation: n.Operation, Error: n.Error,
		Details: n,
	}
}

// operationSummary is the one line people read, e.g. "failover of www
// from alpha to bravo succeeded in 42s".
func operationSummary(n executor.Notification) string {
	what := notifyEvent(n.Kind)
	if planner.Kind(n.Kind) == planner.KindAutomatic {
		what = "automatic failover"
	}
	s := fmt.Sprintf("%s of %s", what, n.Service)
	if n.From != "" {
		s += " from " + n.From
	}
	if n.To != "" {
		s += " to " + n.To
	}
	took := (time.Duration(n.Elapsed * float64(time.Second))).Round(time.Second)
	switch n.Event {
	case executor.EventStarted:
		return s + " started"
	case executor.EventSucceeded:
		return fmt.Sprintf("%s succeeded in %s", s, took)
	case executor.EventUnfinished:
		return s + " unfinished: some DNS providers were not updated; lifeboat resume retries them"
	case executor.EventInterrupted:
		return s + " interrupted; lifeboat resume continues it"
	case executor.EventFailed:
		return fmt.Sprintf("%s failed after %s: %s", s, took, n.Error)
	}
	return s + ": " + n.Event
}

// notifyDrain is how long Close waits for queued notifications: every
// attempt of the slowest block, at most notifyDrainCap.
func notifyDrain(blocks []*config.Notify) time.Duration {
	var d time.Duration
	for _, b := range blocks {
		timeout, retries := b.Timeout, b.Retries
		if timeout <= 0 {
			timeout = config.DefaultNotifyTimeout
		}
		if retries < 0 {
			retries = config.DefaultNotifyRetries
		}
		d = max(d, timeout*time.Duration(retries+1))
	}
	return min(d, notifyDrainCap)
}

// closeNotifier delivers what is queued within notifyDrain, then stops.
func (e *Engine) closeNotifier() {
	ctx, cancel := context.WithTimeout(context.Background(), notifyDrain(e.Cfg.Notify))
	defer cancel()
	if err := e.notifier.Close(ctx); err != nil {
		e.Log.Warn("notifications given up at exit", "err", err)
	}
}
