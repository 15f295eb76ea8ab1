package dnswriter

import (
	"context"
	"errors"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/backoff"
)

// Retry bounds the attempts of a write: how many, how long each, and the
// pauses between them. Zero values take the defaults.
type Retry struct {
	// Attempts bounds the tries (default 5).
	Attempts int
	// InitialBackoff is the pause after the first failed attempt (default
	// 500ms); it doubles after each failure up to MaxBackoff (default 10s),
	// with jitter.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// AttemptTimeout bounds one attempt (default 30s).
	AttemptTimeout time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.InitialBackoff <= 0 {
		r.InitialBackoff = 500 * time.Millisecond
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 10 * time.Second
	}
	if r.AttemptTimeout <= 0 {
		r.AttemptTimeout = 30 * time.Second
	}
	return r
}

// Do calls fn until it reports no retry, the attempts are used up or ctx
// ends, pausing with the project's backoff in between: jitter keeps
// several writers, or several records, from retrying a struggling API in
// lockstep. Each call gets AttemptTimeout. It returns fn's last error
// (joined with ctx's when ctx ended the wait).
func (r Retry) Do(ctx context.Context, fn func(context.Context) (again bool, err error)) error {
	r = r.withDefaults()
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, r.AttemptTimeout)
		again, err := fn(actx)
		cancel()
		if !again || n >= r.Attempts {
			return err
		}
		timer := time.NewTimer(backoff.Pause(r.InitialBackoff, r.MaxBackoff, n-1))
		select {
		case <-ctx.Done():
			timer.Stop()
			return errors.Join(err, ctx.Err())
		case <-timer.C:
		}
	}
}
