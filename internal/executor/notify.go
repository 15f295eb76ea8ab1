package executor

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// notifyTimeout bounds a call to env.Notify, which should only queue: a
// hook that blocks must not hold the operation, or the exit after a signal.
const notifyTimeout = 15 * time.Second

// notifyStarted tells the service's notify blocks that its operation
// began. Only Start calls it: a resumed operation was announced already.
func (e *Executor) notifyStarted(ctx context.Context, op journal.Operation, sp planner.ServicePlan) {
	names := notifyNames(sp)
	if e.env.Notify == nil || len(names) == 0 {
		return
	}
	n := Notification{Event: EventStarted, OK: true, Operation: op.ID, Kind: op.Kind,
		Service: sp.Service, From: sp.From, To: sp.To}
	nctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	if err := e.env.Notify(nctx, names, n); err != nil {
		e.emit(Event{Service: sp.Service, Phase: PhaseInfo, Message: "start notification not queued: " + err.Error()})
	}
}

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
		e.emit(Event{Service: sp.Service, Phase: PhaseInfo, Message: "failure notification not queued: " + nerr.Error()})
		return
	}
	e.emit(Event{Service: sp.Service, Phase: PhaseInfo, Message: "failure notification queued for " + strings.Join(names, ", ")})
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
