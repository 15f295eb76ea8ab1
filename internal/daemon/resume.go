package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/backoff"
	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/safeguard"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// Pauses between the leader's attempts to finish an unfinished operation:
// a DNS server down for seconds is retried within seconds, one gone for
// long is not hammered.
const (
	resumeBase = 2 * time.Second
	resumeCap  = 5 * time.Minute
)

// resumer is when the leader next tries to finish what is unfinished;
// touched on the decision loop only (and by the control socket's resume,
// under the slot and mu).
type resumer struct {
	// failures counts the attempts that failed since the last success.
	failures int
	next     time.Time
}

// resumeDue reports whether an unfinished operation is waiting, and how
// long until its next attempt (0: now).
func (d *Daemon) resumeDue() (time.Duration, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.resume.failures == 0 {
		return 0, false
	}
	return max(time.Until(d.resume.next), 0), true
}

// resumeFailed counts one failed attempt and schedules the next.
func (d *Daemon) resumeFailed() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	wait := backoff.Pause(resumeBase, resumeCap, d.resume.failures)
	d.resume.failures++
	d.resume.next = time.Now().Add(wait)
	return wait
}

// resumeLater puts a due attempt off by the shortest pause, without
// counting it as failed: it could not be made now (hold, slot busy), and
// the decision loop must not spin on it meanwhile.
func (d *Daemon) resumeLater() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.resume.failures > 0 && !time.Now().Before(d.resume.next) {
		d.resume.next = time.Now().Add(resumeBase)
	}
}

func (d *Daemon) resumeReset() {
	d.mu.Lock()
	d.resume = resumer{}
	d.mu.Unlock()
}

// resumePending finishes the unfinished operations once their backoff
// has passed (at once when now is set). The cooldown gates new moves, not
// the finishing of one under way: the leader keeps at it, with backoff,
// until it completes or a person aborts it. It runs on the decision loop
// as the leader (and on start).
func (d *Daemon) resumePending(ctx context.Context, now bool) {
	if wait, due := d.resumeDue(); due && wait > 0 && !now {
		return
	}
	// Of the safeguards only the hold switch stops an automatic resume
	// (`lifeboat resume` still works); the policy's count and cooldown
	// gate new moves.
	h := d.holdState()
	v := safeguard.Check(safeguard.Policy{}, safeguard.Facts{Hold: safeguard.Hold{On: h.On}}, time.Now(), safeguard.Request{Kind: safeguard.Resume})
	if !now && !v.Allowed() {
		d.resumeLater()
		return
	}
	// Only with nothing running here: what runs (a drill, an operator's
	// operation) is unfinished in the journal too.
	octx, release, ok := d.slot.tryAcquire(ctx, "resuming unfinished operations")
	if !ok {
		d.resumeLater()
		return
	}
	op := d.operator()
	ops, err := op.Unfinished(octx)
	if err != nil || len(ops) == 0 {
		release()
		if err != nil {
			d.log.Error("cannot list unfinished operations", "err", err)
		} else {
			d.resumeReset()
		}
		return
	}
	hooks := engine.Hooks{Progress: d.logProgress}
	if !now {
		// On start the monitor has seen nothing yet: the engine runs a
		// round of checks itself. Later its view is the daemon's.
		hooks.Snapshot = d.view
	}
	reps, err := op.Resume(octx, nil, hooks)
	release()
	d.resumed(ctx, reps, err, "")
}

// resumed journals the outcome of a resume and sets the next attempt.
func (d *Daemon) resumed(ctx context.Context, reps []wire.OperationReport, err error, by string) {
	if errors.Is(err, engine.ErrNoOperation) {
		d.resumeReset()
		return
	}
	who := "the daemon"
	if by != "" {
		who = by
	}
	for i, rep := range reps {
		d.observeOperations(ctx, rep.Operation)
		if err != nil && i == len(reps)-1 {
			break // the one that failed: journaled below
		}
		d.record(ctx, decision{Action: "resumed", Operation: rep.Operation,
			Summary: fmt.Sprintf("resumed and finished operation %s (%s)", rep.Operation, who)})
	}
	switch {
	case err == nil:
		d.resumeReset()
		d.follow(ctx)
		return
	case ctx.Err() != nil:
		return // shutting down or no longer leading: the next leader resumes
	}
	op := ""
	if n := len(reps); n > 0 {
		op = reps[n-1].Operation
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	if !d.unfinished(ctx) {
		// It ended (failed) rather than staying unfinished: nothing is
		// left to resume.
		d.resumeReset()
		d.record(ctx, decision{Action: "failed", Operation: op,
			Summary: fmt.Sprintf("resuming an unfinished operation (%s) ended it as failed: %s", who, first)})
		d.follow(ctx)
		return
	}
	wait := d.resumeFailed()
	d.record(ctx, decision{Action: "resume_failed", Operation: op,
		Summary: fmt.Sprintf("an unfinished operation could not be finished (%s): %s; trying again in %s, until it completes or `lifeboat abort` ends it",
			who, first, wait.Round(time.Second))})
	d.follow(ctx)
}

// unfinished reports whether the journal holds an unfinished operation
// (true when it cannot tell: then it is tried again).
func (d *Daemon) unfinished(ctx context.Context) bool {
	ops, err := d.records().Unfinished(context.WithoutCancel(ctx))
	return err != nil || len(ops) > 0
}

// resumeRequested is `lifeboat resume` while the daemon runs: the leader
// resumes now, and the backoff starts afresh.
func (d *Daemon) resumeRequested(ctx context.Context, dropDNS []string, conv *control.Conv) (any, error) {
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return nil, d.notLeading(ctx, "resume")
	}
	defer unlead()
	octx, release, err := d.slot.acquire(lctx, "resume requested over the control socket ("+conv.Peer+")", false)
	if err != nil {
		return nil, err
	}
	reps, err := d.operator().Resume(octx, dropDNS, engine.Hooks{Progress: conv.Progress, Snapshot: d.view})
	release()
	d.resumed(context.WithoutCancel(lctx), reps, err, "requested over the control socket ("+conv.Peer+")")
	return wire.Outcome{Resumed: reps, Executed: len(reps) > 0}, err
}
