package drill

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// run is one drill under way: its report, its progress and the journal
// operation its steps are written to (canary only).
type run struct {
	rep      *Report
	progress func(Event)
	op       Operation // nil when the drill has no operation of its own
	now      func() time.Time
	redact   func(string) string
}

// step runs fn as the named step: timed, reported, journaled when the
// drill has an operation. A failure is recorded and returned.
func (r *run) step(ctx context.Context, name string, fn func(context.Context) (string, error)) error {
	started := r.now()
	r.emit(name, "start", "")
	if r.op != nil {
		if err := r.op.StepStarted(context.WithoutCancel(ctx), name, started); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	detail, err := fn(ctx)
	st := Step{Name: name, Started: started, Took: r.now().Sub(started), OK: err == nil, Detail: r.redact(detail)}
	if err != nil {
		st.Error = r.redact(err.Error())
		// One cause (a workspace whose init fails) fails every step that
		// touches it: its text, often many lines, is shown once.
		for _, prev := range r.rep.Steps {
			if prev.Error == st.Error {
				st.Error = fmt.Sprintf("same error as step %q", prev.Name)
				break
			}
		}
	}
	r.rep.Steps = append(r.rep.Steps, st)
	if r.op != nil {
		if jerr := r.op.StepFinished(context.WithoutCancel(ctx), name, st); jerr != nil {
			err = errors.Join(err, fmt.Errorf("journal: %w", jerr))
		}
	}
	if err != nil {
		r.emit(name, "failed", st.Error)
		return err
	}
	r.emit(name, "done", st.Detail)
	return nil
}

// check runs a step whose failure is a finding of the drill, not a reason
// to stop: it lands in Failures and the drill goes on.
func (r *run) check(ctx context.Context, name string, fn func(context.Context) (string, error)) {
	if err := r.step(ctx, name, fn); err != nil && ctx.Err() == nil {
		r.fail(name + ": " + r.rep.Steps[len(r.rep.Steps)-1].Error)
	}
}

func (r *run) fail(msg string) { r.rep.Failures = append(r.rep.Failures, r.redact(msg)) }

func (r *run) left(msg string) { r.rep.LeftChanged = append(r.rep.LeftChanged, r.redact(msg)) }

func (r *run) info(msg string) { r.emit("", "info", msg) }

func (r *run) emit(step, phase, msg string) {
	if r.progress != nil {
		r.progress(Event{Time: r.now(), Step: step, Phase: phase, Message: r.redact(msg)})
	}
}

// aborted marks the report aborted when ctx was cancelled, with the
// cause, and reports whether it was.
func (r *run) aborted(ctx context.Context) bool {
	if ctx.Err() == nil {
		return false
	}
	r.rep.Aborted = true
	if r.rep.AbortReason == "" {
		cause := context.Cause(ctx)
		if cause == nil {
			cause = ctx.Err()
		}
		r.rep.AbortReason = r.redact(cause.Error())
	}
	return true
}
