// Package healthwait is the one wait for a new target's checks to pass,
// shared by a failover's wait-healthy step and a drill's canary.
package healthwait

import (
	"context"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// DefaultPoll is the pause between rounds when none is given.
const DefaultPoll = time.Second

// Check runs one round of the checks: ok when all pass, else why not. An
// error ends the wait.
type Check func(ctx context.Context) (ok bool, reason string, err error)

// NotHealthy is the error of a wait whose timeout ended before a round
// passed.
type NotHealthy struct {
	After time.Duration // the timeout
	Last  string        // why the last round failed
}

func (e *NotHealthy) Error() string { return fmt.Sprintf("not healthy after %s: %s", e.After, e.Last) }

// Until runs check every poll until a round passes and returns how many
// rounds ran; it never succeeds without a passing round. A timeout of
// zero or less is config.DefaultWaitHealthy (policy.wait_healthy's
// default), a poll of zero or less DefaultPoll. onFail, when not nil,
// hears each failed round. The error is check's own, a *NotHealthy when
// the timeout ends first, or context.Cause(ctx) when ctx ends first.
func Until(ctx context.Context, timeout, poll time.Duration, check Check, onFail func(round int, reason string)) (int, error) {
	if timeout <= 0 {
		timeout = config.DefaultWaitHealthy
	}
	if poll <= 0 {
		poll = DefaultPoll
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := "no check ran"
	for round := 1; ; round++ {
		ok, reason, err := check(wctx)
		if err != nil {
			return round, err
		}
		if ok {
			return round, nil
		}
		last = reason
		if onFail != nil {
			onFail(round, reason)
		}
		t := time.NewTimer(poll)
		select {
		case <-wctx.Done():
			t.Stop()
			// Stopped from above (a lost leadership, a shutdown): say why,
			// never as NotHealthy, which would try the next target.
			if ctx.Err() != nil {
				return round, context.Cause(ctx)
			}
			return round, &NotHealthy{After: timeout, Last: last}
		case <-t.C:
		}
	}
}
