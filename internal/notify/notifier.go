package notify

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// defaultQueue bounds each block's queue: far more than an operation sends,
// few enough that a receiver down for days does not grow memory.
const defaultQueue = 100

// Options tune a Notifier; every field is optional.
type Options struct {
	Logger *slog.Logger
	// Redact removes secret values from text bound for the log.
	Redact func(string) string
	// Client sends the requests (tests); it never follows redirects,
	// whatever its CheckRedirect says.
	Client *http.Client
	// Backoff is the base of the pause between attempts; default 500ms.
	Backoff time.Duration
	// QueueSize bounds each block's queue; default 100.
	QueueSize int
}

// Notifier delivers events to notify blocks in the background.
type Notifier struct {
	log     *slog.Logger
	workers []*worker

	ctx    context.Context // the workers' life: cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

// New returns a notifier for blocks. Nothing runs until the first Send;
// Close stops what runs.
func New(blocks []*config.Notify, opts Options) *Notifier {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Redact == nil {
		opts.Redact = func(s string) string { return s }
	}
	client := &http.Client{}
	if opts.Client != nil {
		c := *opts.Client
		client = &c
	}
	client.CheckRedirect = noRedirect
	if opts.Backoff <= 0 {
		opts.Backoff = defaultBackoff
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = defaultQueue
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{log: opts.Logger, ctx: ctx, cancel: cancel}
	for _, b := range blocks {
		var dest destination
		switch {
		case b.Webhook != nil:
			dest = webhook(b.Webhook)
		case b.Slack != nil:
			dest = slack(b.Slack)
		default:
			continue
		}
		w := &worker{block: b, dest: dest, client: client, log: opts.Logger, redact: opts.Redact,
			base: opts.Backoff, max: opts.QueueSize, timeout: b.Timeout, retries: b.Retries,
			wake: make(chan struct{}, 1), progress: make(chan struct{})}
		if w.timeout <= 0 {
			w.timeout = config.DefaultNotifyTimeout
		}
		if w.retries < 0 {
			w.retries = config.DefaultNotifyRetries
		}
		n.workers = append(n.workers, w)
	}
	return n
}

// Send queues ev for every block in names (all blocks when names is nil)
// whose events include ev.Category (empty events = all). It never blocks:
// a full queue drops its oldest event and logs it. A zero ev.At is now.
func (n *Notifier) Send(ev Event, names []string) {
	if n == nil {
		return
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	var targets []*worker
	for _, w := range n.workers {
		if names != nil && !slices.Contains(names, w.block.Name) {
			continue
		}
		if len(w.block.Events) > 0 && !slices.Contains(w.block.Events, ev.Category) {
			continue
		}
		targets = append(targets, w)
	}
	if len(targets) == 0 {
		return
	}
	id := deliveryID()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		n.log.Warn("notification not sent: lifeboat is stopping", "event", ev.Event)
		return
	}
	for _, w := range targets {
		// Rendered now: the caller may change Details once Send returns.
		body, err := bounded(w.dest.render, ev)
		if err != nil {
			n.log.Error("notification not sent: it does not encode", "notify", w.block.Name, "event", ev.Event, "err", err)
			continue
		}
		if w.enqueue(job{ev: ev, body: body, id: id}) {
			n.wg.Add(1)
			go func() {
				defer n.wg.Done()
				w.run(n.ctx)
			}()
		}
	}
}

// Flush waits until everything queued so far was delivered or given up,
// or ctx ends.
func (n *Notifier) Flush(ctx context.Context) error {
	if n == nil {
		return nil
	}
	targets := make([]uint64, len(n.workers))
	for i, w := range n.workers {
		targets[i], _, _ = w.mark()
	}
	for i, w := range n.workers {
		for {
			_, finished, progress := w.mark()
			if finished >= targets[i] {
				break
			}
			select {
			case <-progress:
			case <-ctx.Done():
				return fmt.Errorf("notifications still queued: %w", context.Cause(ctx))
			}
		}
	}
	return nil
}

// Close stops accepting, delivers what is queued within ctx, and stops the
// workers: what is still queued or in flight when ctx ends is given up and
// logged.
func (n *Notifier) Close(ctx context.Context) error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	n.mu.Unlock()
	err := n.Flush(ctx)
	n.cancel()
	n.wg.Wait()
	return err
}

// deliveryID names one event in the X-Lifeboat-Delivery header.
func deliveryID() string {
	return rand.Text()
}
