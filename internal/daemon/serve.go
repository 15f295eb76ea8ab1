package daemon

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Handle answers one request from the control socket.
func (d *Daemon) Handle(ctx context.Context, req control.Request, conv *control.Conv) (any, error) {
	switch req.Op {
	case control.OpStatus:
		return d.status(ctx)
	case control.OpHistory:
		eng, _ := d.current()
		switch {
		case req.Drills:
			reps, err := eng.DrillReports(ctx, req.Limit)
			return engine.DrillsDoc{Drills: reps}, err
		case req.Decisions:
			recs, err := eng.Decisions(ctx, req.Limit)
			return engine.DecisionsDoc{Decisions: recs}, err
		}
		ops, err := eng.History(ctx, req.Limit)
		return engine.HistoryDoc{Operations: ops}, err
	case control.OpHold:
		if req.Hold == nil {
			return d.holdState(), nil
		}
		return d.setHold(ctx, *req.Hold, conv.Peer)
	case control.OpPlan, control.OpRun:
		if req.Run == nil {
			return nil, fmt.Errorf("%w: %s needs an operation", engine.ErrInvalidRequest, req.Op)
		}
		return d.operate(ctx, req, conv)
	case control.OpDrill:
		return d.drillNow(ctx, req.Name, conv)
	case control.OpAbort:
		return d.abort(ctx, req.Name, req.Reason, conv)
	}
	return nil, fmt.Errorf("%w: unknown request %q", engine.ErrInvalidRequest, req.Op)
}

// operate plans or runs an operator's request with the daemon's monitor,
// through the same engine path as the automatic failover.
func (d *Daemon) operate(ctx context.Context, req control.Request, conv *control.Conv) (engine.Outcome, error) {
	r := *req.Run
	switch r.Kind {
	case planner.KindManual, planner.KindFailback:
	default:
		return engine.Outcome{}, fmt.Errorf("%w: the daemon runs manual failovers and failbacks, not %q", engine.ErrInvalidRequest, r.Kind)
	}
	if r.Kind == planner.KindManual && r.From == "" {
		// An operator who types `failover` right after a host died must not
		// be told nothing is lost: wait, as the command does without a
		// daemon, for the monitor to confirm or clear a failing provider.
		if err := d.waitConfirmed(ctx, conv.Progress); err != nil {
			return engine.Outcome{}, err
		}
	}
	eng, w := d.current()
	hooks := engine.Hooks{Progress: conv.Progress, Snapshot: w.snapshot}
	if req.Op == control.OpPlan {
		return eng.Plan(ctx, r, hooks)
	}
	if req.Confirm {
		hooks.Confirm = conv.Confirm
	}
	octx, release, err := d.slot.acquire(ctx, fmt.Sprintf("%s requested over the control socket (%s)", r.Kind, conv.Peer), false)
	if err != nil {
		return engine.Outcome{}, err
	}
	defer release()
	// The engine may have been swapped by a reload while this waited.
	eng, w = d.current()
	hooks.Snapshot = w.snapshot
	out, err := eng.Run(octx, r, hooks)
	if out.Executed || len(out.Resumed) > 0 {
		d.follow(ctx)
	}
	return out, err
}

// waitConfirmed waits while a provider fails its checks without being
// down yet, up to what the monitor needs to decide (fail_after rounds).
func (d *Daemon) waitConfirmed(ctx context.Context, progress func(engine.Event)) error {
	eng, w := d.current()
	p := eng.Cfg.Policy
	asked := time.Now()
	// First a round newer than the request for every provider being
	// checked, as the command would run one itself; then the rounds that
	// confirm or clear a failing one.
	fresh := asked.Add(2*p.Interval + p.Timeout)
	deadline := asked.Add(time.Duration(p.FailAfter+2)*p.Interval + p.Timeout)
	told := false
	for time.Now().Before(deadline) {
		var failing, stale []string
		for _, st := range w.snapshot().Providers {
			switch {
			case st.Rounds > 0 && st.LastChecked.Before(asked) && st.LastChecked.After(asked.Add(-2*p.Interval)) && time.Now().Before(fresh):
				// Checked in the last rounds but not since the request; a
				// provider no check runs on any more (nothing placed there)
				// is not waited for.
				stale = append(stale, st.Name)
			case st.Failing:
				failing = append(failing, st.Name)
			}
		}
		if len(failing) == 0 && len(stale) == 0 {
			return nil
		}
		if !told && len(failing) > 0 {
			progress(engine.Event{Time: time.Now(), Phase: "info",
				Message: fmt.Sprintf("%s failing; waiting up to %s for the daemon's checks to confirm", strings.Join(failing, ", "), time.Until(deadline).Round(time.Second))})
			told = true
		}
		t := time.NewTimer(p.Interval / 4)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
	}
	return nil
}

// abort ends an unfinished operation; it waits for the slot so it never
// ends one that is running in this daemon.
func (d *Daemon) abort(ctx context.Context, id, reason string, conv *control.Conv) (any, error) {
	_, release, err := d.slot.acquire(ctx, "abort requested over the control socket ("+conv.Peer+")", false)
	if err != nil {
		return nil, err
	}
	defer release()
	eng, _ := d.current()
	op, err := eng.Abort(ctx, id, reason)
	if err != nil {
		return nil, err
	}
	return map[string]any{"aborted": op.ID, "status": op.Status, "reason": op.Summary}, nil
}
