package executor

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// notifyTimeout bounds a failure notification: it is sent after the
// operation stopped, possibly on a signal, and must not hold the exit.
const notifyTimeout = 15 * time.Second

// notifyFailure tells the service's notify blocks that its operation
// failed, stopped unfinished or was interrupted. Success is sent by the
// plan's own notify step.
func (e *Executor) notifyFailure(ctx context.Context, op journal.Operation, sp planner.ServicePlan, sr ServiceReport, err error) {
	if e.env.Notify == nil {
		return
	}
	names := notifyNames(sp)
	if len(names) == 0 {
		return
	}
	event := EventFailed
	switch {
	case ctx.Err() != nil:
		event = EventInterrupted
	case errors.Is(err, ErrDNSPartial):
		event = EventUnfinished
	}
	// Read the timeline as it stands, steps of this run included.
	if fresh, ferr := e.env.Journal.Operation(context.WithoutCancel(ctx), op.ID); ferr == nil {
		op = fresh
	}
	n := Notification{Event: event, OK: false, Error: e.env.Redact(err.Error()), Operation: op.ID, Kind: op.Kind,
		Service: sp.Service, From: sp.From, To: sr.To, Addresses: sr.Addresses, Timeline: op.Steps,
		Elapsed: e.env.Now().Sub(op.Started).Seconds()}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
	defer cancel()
	if nerr := e.env.Notify(nctx, names, n); nerr != nil {
		e.emit(Event{Service: sp.Service, Phase: PhaseInfo, Message: "failure notification not sent: " + nerr.Error()})
		return
	}
	e.emit(Event{Service: sp.Service, Phase: PhaseInfo, Message: "failure notification sent to " + strings.Join(names, ", ")})
}

// notifyNames are the notify blocks of the service's plan.
func notifyNames(sp planner.ServicePlan) []string {
	for _, st := range sp.Steps {
		if st.Kind == planner.StepNotify {
			return st.Notify
		}
	}
	return nil
}
