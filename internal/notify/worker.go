package notify

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// job is one event rendered for one block.
type job struct {
	ev   Event
	body []byte
	id   string
}

// worker delivers one block's events in order, one at a time, so that a
// receiver that hangs delays only its own queue.
type worker struct {
	block   *config.Notify
	dest    destination
	client  *http.Client
	log     *slog.Logger
	redact  func(string) string
	base    time.Duration // backoff base
	max     int           // queue bound
	timeout time.Duration
	retries int

	mu       sync.Mutex
	queue    []job
	queued   uint64 // jobs ever queued
	finished uint64 // jobs delivered, given up or dropped
	running  bool
	wake     chan struct{} // a job arrived (capacity 1)
	progress chan struct{} // closed and replaced when finished moves
}

// enqueue adds j, dropping the oldest waiting job when the queue is full.
// It reports whether the worker's goroutine must be started.
func (w *worker) enqueue(j job) (start bool) {
	w.mu.Lock()
	if len(w.queue) >= w.max {
		old := w.queue[0]
		w.queue = w.queue[1:]
		w.finishedLocked()
		w.log.Warn("notify queue full: dropped the oldest event", "notify", w.block.Name, "event", old.ev.Event, "operation", old.ev.Operation, "queued", len(w.queue))
	}
	w.queue = append(w.queue, j)
	w.queued++
	start = !w.running
	w.running = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return start
}

// finishedLocked counts one job as done and wakes Flush; w.mu is held.
func (w *worker) finishedLocked() {
	w.finished++
	close(w.progress)
	w.progress = make(chan struct{})
}

// run delivers queued jobs until ctx ends; what is still queued then is
// given up.
func (w *worker) run(ctx context.Context) {
	for {
		w.mu.Lock()
		if ctx.Err() != nil {
			for _, j := range w.queue {
				w.log.Warn("notification not delivered: lifeboat stopped first", "notify", w.block.Name, "event", j.ev.Event, "operation", j.ev.Operation)
				w.finishedLocked()
			}
			w.queue = nil
			w.mu.Unlock()
			return
		}
		if len(w.queue) == 0 {
			w.mu.Unlock()
			select {
			case <-w.wake:
			case <-ctx.Done():
			}
			continue
		}
		j := w.queue[0]
		w.queue = w.queue[1:]
		w.mu.Unlock()

		w.deliver(ctx, j)

		w.mu.Lock()
		w.finishedLocked()
		w.mu.Unlock()
	}
}

// deliver tries j once and then up to retries more times, with backoff. A
// 4xx answer other than 429, or a redirect, is final.
func (w *worker) deliver(ctx context.Context, j job) {
	attrs := []any{"notify", w.block.Name, "event", j.ev.Event}
	if j.ev.Operation != "" {
		attrs = append(attrs, "operation", j.ev.Operation)
	}
	for n := 0; ; n++ {
		err := attempt(ctx, w.client, w.dest, j.body, j.id, w.timeout)
		if err == nil {
			w.log.Debug("notification delivered", append(attrs, "attempts", n+1)...)
			return
		}
		ae, _ := err.(*attemptError)
		msg := w.redact(err.Error())
		if ae == nil || !ae.retry || n >= w.retries || ctx.Err() != nil {
			w.log.Warn("notification not delivered", append(attrs, "attempts", n+1, "err", msg)...)
			return
		}
		pause := backoff(w.base, n, ae.after)
		w.log.Info("notification attempt failed, retrying", append(attrs, "attempt", n+1, "retry_in", pause.Round(time.Millisecond).String(), "err", msg)...)
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			w.log.Warn("notification not delivered: lifeboat stopped first", append(attrs, "attempts", n+1, "err", msg)...)
			return
		}
	}
}

// mark returns how many jobs were queued so far, and a channel closed when
// the next one finishes.
func (w *worker) mark() (queued, finished uint64, progress <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued, w.finished, w.progress
}
