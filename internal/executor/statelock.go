package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// Unlocker is a workspace that can release a state lock left behind
// (terraform.Workspace is one).
type Unlocker interface {
	ForceUnlock(ctx context.Context, id string) error
}

// outLockReleased is the apply step's output that journals a state lock
// lifeboat released.
const outLockReleased = "state_lock_released"

// lockClockSkew is how far apart the lock's creation time and the journal's
// times of the attempt that took it may be: both come from the clock of
// the node that ran that attempt, and the lock is taken just after the
// attempt starts.
const lockClockSkew = 2 * time.Second

// deadHolder says whether a state lock that refused the apply step stepID
// was left by this operation's own earlier attempt at the step, whose
// runner is gone: the attempt right before the running one is
// interrupted (its runner died or lost the leadership, and the operation
// was taken over with a new fencing token, so that runner can write
// nothing more), and the lock is an apply's, taken while that attempt
// ran. Anything else (a lock the journal cannot account for: an
// operator's command, another tool) is not lifeboat's to break; why says
// which part failed.
func deadHolder(op journal.Operation, stepID string, lock terraform.StateLock) (attempt journal.Step, why string, ok bool) {
	var attempts []journal.Step
	for _, s := range op.Steps {
		if s.ID == stepID {
			attempts = append(attempts, s)
		}
	}
	if len(attempts) < 2 || attempts[len(attempts)-1].Status != journal.StepRunning {
		return journal.Step{}, "the journal shows no earlier attempt at " + stepID + " in this operation", false
	}
	prev, cur := attempts[len(attempts)-2], attempts[len(attempts)-1]
	switch {
	case prev.Status != journal.StepInterrupted:
		return prev, fmt.Sprintf("the last attempt at %s %s, it was not cut short", stepID, prev.Status), false
	case len(op.Resumed) == 0:
		return prev, "the operation was never taken over", false
	case lock.Operation != "OperationTypeApply":
		return prev, "the lock is held by " + lock.Operation + ", not an apply", false
	case lock.Created.Before(prev.Started.Add(-lockClockSkew)):
		return prev, fmt.Sprintf("the lock was taken at %s, before attempt %d began (%s)",
			lock.Created.UTC().Format(time.RFC3339), prev.Attempt, prev.Started.UTC().Format(time.RFC3339)), false
	case lock.Created.After(cur.Started.Add(lockClockSkew)):
		return prev, fmt.Sprintf("the lock was taken at %s, after this attempt began", lock.Created.UTC().Format(time.RFC3339)), false
	}
	return prev, "", true
}

// applyUnlocking runs apply; when a state lock refuses it and the journal
// shows the lock was left by a dead runner of this very step, it releases
// the lock (force-unlock with its ID), journals that in the step's
// outputs, and applies again.
func (e *Executor) applyUnlocking(ctx context.Context, op *journal.Operation, stepID string, ws Workspace, apply func() error, info func(string)) (map[string]string, error) {
	err := apply()
	var locked *terraform.LockedError
	if !errors.As(err, &locked) {
		return nil, err
	}
	l := locked.Lock
	by := fmt.Sprintf("state lock %s (held by %s since %s)", l.ID, l.Who, l.Created.UTC().Format(time.RFC3339))
	byHand := fmt.Sprintf("if no command runs on this workspace, release it by hand in its directory: tofu force-unlock %s", l.ID)
	// The journal as it is now, with this attempt in it.
	cur, jerr := e.env.Journal.Operation(ctx, op.ID)
	if jerr != nil {
		return nil, fmt.Errorf("%w; the journal cannot tell who holds it: %w", err, jerr)
	}
	attempt, why, dead := deadHolder(cur, stepID, l)
	u, canUnlock := ws.(Unlocker)
	switch {
	case !dead:
		return nil, fmt.Errorf("%w; lifeboat leaves it alone: %s; %s", err, why, byHand)
	case !canUnlock:
		return nil, fmt.Errorf("%w; %s", err, byHand)
	}
	note := fmt.Sprintf("released %s: it was taken by attempt %d of this step (started %s), whose runner died or lost the leadership",
		by, attempt.Attempt, attempt.Started.UTC().Format(time.RFC3339))
	if uerr := u.ForceUnlock(ctx, l.ID); uerr != nil {
		return nil, fmt.Errorf("%w; releasing it (left by attempt %d of this step, whose runner is gone) failed: %w", err, attempt.Attempt, uerr)
	}
	info(note)
	return map[string]string{outLockReleased: note}, apply()
}
