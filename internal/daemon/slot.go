package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lifeboat-dev/lifeboat/internal/control"
)

// ErrShuttingDown: the daemon is stopping and starts no new operation.
var ErrShuttingDown = errors.New("the daemon is shutting down: no new operation starts")

// slot lets one operation run at a time. A drill gives way to anything
// real: taking the slot for a failover cancels a running drill (its
// cause says why) and waits for it to wind down; a drill never waits.
type slot struct {
	mu     sync.Mutex
	cur    *running
	closed bool
}

type running struct {
	what   string
	drill  bool
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// acquire takes the slot for what; the returned context is cancelled
// when the caller's is, or when a real operation preempts a drill.
func (s *slot) acquire(ctx context.Context, what string, drill bool) (context.Context, func(), error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, nil, ErrShuttingDown
		}
		cur := s.cur
		if cur == nil {
			octx, release := s.take(ctx, what, drill)
			s.mu.Unlock()
			return octx, release, nil
		}
		s.mu.Unlock()
		switch {
		case drill:
			return nil, nil, fmt.Errorf("%w (%s)", control.ErrBusy, cur.what)
		case cur.drill:
			cur.cancel(fmt.Errorf("drill aborted: %s needs the slot", what))
		}
		select {
		case <-ctx.Done():
			return nil, nil, context.Cause(ctx)
		case <-cur.done:
		}
	}
}

// take gives the free slot to what; s.mu is held.
func (s *slot) take(ctx context.Context, what string, drill bool) (context.Context, func()) {
	octx, cancel := context.WithCancelCause(ctx)
	r := &running{what: what, drill: drill, cancel: cancel, done: make(chan struct{})}
	s.cur = r
	return octx, func() {
		s.mu.Lock()
		if s.cur == r {
			s.cur = nil
		}
		s.mu.Unlock()
		cancel(nil)
		close(r.done)
	}
}

// tryAcquire takes the slot for what only if it is free: it neither
// waits nor cancels a drill. The daemon's own retries use it: while
// anything runs, its operation is unfinished in the journal and must not
// be taken for one left over.
func (s *slot) tryAcquire(ctx context.Context, what string) (context.Context, func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.cur != nil {
		return nil, nil, false
	}
	octx, release := s.take(ctx, what, false)
	return octx, release, true
}

// abortDrill cancels a running drill, with the reason.
func (s *slot) abortDrill(reason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || !s.cur.drill {
		return false
	}
	s.cur.cancel(errors.New(reason))
	return true
}

// current names what runs now ("" when idle).
func (s *slot) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return ""
	}
	return s.cur.what
}

func (s *slot) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// close refuses new operations from now on and cancels the running one
// (it is journaled as interrupted and resumed at the next start); it
// returns a channel closed once that one has returned.
func (s *slot) close(cause error) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.cur == nil {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	s.cur.cancel(cause)
	return s.cur.done
}
