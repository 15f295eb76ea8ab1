package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Handle answers one request from the control socket.
func (d *Daemon) Handle(ctx context.Context, req control.Request, conv *control.Conv) (any, error) {
	switch req.Op {
	case control.OpStatus:
		return d.Status(ctx)
	case control.OpHistory:
		switch {
		case req.Drills:
			return d.Drills(ctx, req.Limit)
		case req.Decisions:
			return d.Decisions(ctx, req.Limit)
		}
		return d.Operations(ctx, req.Limit)
	case control.OpHold:
		return d.Hold(ctx, req.Hold, conv.Peer)
	case control.OpPlan:
		if req.Run == nil {
			return nil, fmt.Errorf("%w: %s needs an operation", engine.ErrInvalidRequest, req.Op)
		}
		return d.Plan(ctx, *req.Run, conv.Progress)
	case control.OpRun:
		if req.Run == nil {
			return nil, fmt.Errorf("%w: %s needs an operation", engine.ErrInvalidRequest, req.Op)
		}
		hooks := engine.Hooks{Progress: conv.Progress}
		if req.Confirm {
			hooks.Confirm = conv.Confirm
		}
		return d.Operate(ctx, *req.Run, hooks, "the control socket ("+conv.Peer+")")
	case control.OpDrill:
		return d.drillNow(ctx, req.Name, conv)
	case control.OpAbort:
		return d.abort(ctx, req.Name, req.Reason, conv)
	case control.OpResume:
		return d.resumeRequested(ctx, req.DropDNS, conv)
	case control.OpSync:
		return d.syncRequested(ctx, req.Sync, conv)
	case control.OpPrepare:
		return d.prepareRequested(ctx, req.Backend, conv)
	}
	return nil, fmt.Errorf("%w: unknown request %q", engine.ErrInvalidRequest, req.Op)
}

// Operations lists past operations, newest first.
func (d *Daemon) Operations(ctx context.Context, limit int) (wire.HistoryDoc, error) {
	eng, _ := d.current()
	ops, err := eng.History(ctx, limit)
	return wire.HistoryDoc{Operations: ops}, err
}

// Operation returns one operation with its timeline.
func (d *Daemon) Operation(ctx context.Context, id string) (journal.Operation, error) {
	eng, _ := d.current()
	return eng.Operation(ctx, id)
}

// Drills lists drill reports, newest first.
func (d *Daemon) Drills(ctx context.Context, limit int) (wire.DrillsDoc, error) {
	eng, _ := d.current()
	reps, err := eng.DrillReports(ctx, limit)
	return wire.DrillsDoc{Drills: reps}, err
}

// Decisions lists the daemon's decisions and hold switch changes.
func (d *Daemon) Decisions(ctx context.Context, limit int) (wire.DecisionsDoc, error) {
	eng, _ := d.current()
	recs, err := eng.Decisions(ctx, limit)
	return wire.DecisionsDoc{Decisions: recs}, err
}

// Hold reads the hold switch, or changes it when change is non-nil.
func (d *Daemon) Hold(ctx context.Context, change *control.HoldChange, who string) (control.HoldState, error) {
	if change == nil {
		if d.nodes != nil {
			// Another node may have turned it since this one read it.
			_ = d.loadHold(ctx)
		}
		return d.holdState(), nil
	}
	return d.setHold(ctx, *change, who)
}

// Ready reports whether the daemon watches and can act.
func (d *Daemon) Ready() error {
	if !d.ready.Load() {
		return errors.New("starting: resuming unfinished operations")
	}
	if d.slot.isClosed() {
		return ErrShuttingDown
	}
	return nil
}

// checkKind admits what an operator may ask the daemon to run.
func checkKind(r wire.Request) error {
	switch r.Kind {
	case planner.KindManual, planner.KindFailback:
		return nil
	}
	return fmt.Errorf("%w: the daemon runs manual failovers and failbacks, not %q", engine.ErrInvalidRequest, r.Kind)
}

// Plan answers what r would do now, from the daemon's monitor.
func (d *Daemon) Plan(ctx context.Context, r wire.Request, progress func(wire.Event)) (wire.Outcome, error) {
	if err := d.prepareRequest(ctx, r, progress); err != nil {
		return wire.Outcome{}, err
	}
	eng, _ := d.current()
	// A plan changes nothing: it is answered from the DNS states read
	// last, as status is, not by reading every zone again.
	return eng.Plan(ctx, r, engine.Hooks{Progress: progress, Snapshot: d.view,
		DNS: func(ctx context.Context) map[string]planner.Observation { return d.dnsStates(ctx).States }})
}

// Operate runs an operator's request (who says from where, for the log)
// through the same engine path as the automatic failover, one operation
// at a time.
func (d *Daemon) Operate(ctx context.Context, r wire.Request, hooks engine.Hooks, who string) (wire.Outcome, error) {
	if err := d.prepareRequest(ctx, r, hooks.Progress); err != nil {
		return wire.Outcome{}, err
	}
	lctx, unlead, err := d.asLeader(ctx)
	if errors.Is(err, errNotLeading) {
		return d.forwardOperate(ctx, r, hooks)
	}
	if err != nil {
		return wire.Outcome{}, err
	}
	defer unlead()
	octx, release, err := d.slot.acquire(lctx, fmt.Sprintf("%s requested over %s", r.Kind, who), false)
	if err != nil {
		return wire.Outcome{}, err
	}
	defer release()
	d.log.Info("operation requested", "kind", r.Kind, "service", r.Service, "from", r.From, "to", r.To, "by", who)
	// The engine may have been swapped by a reload while this waited.
	eng, _ := d.current()
	hooks.Snapshot = d.view
	out, err := eng.Run(octx, r, hooks)
	if errors.Is(err, journal.ErrNotLeader) {
		err = fmt.Errorf("this node stopped leading during the operation, and the new leader resumes it (see `lifeboat history`): %w", err)
	}
	d.observeOutcome(ctx, out)
	if out.Executed || len(out.Resumed) > 0 {
		d.follow(ctx)
	}
	return out, err
}

// prepareRequest checks r and, for a failover that names no provider to
// leave, waits as the command does without a daemon: an operator who
// types `failover` right after a host died must not be told nothing is
// lost while the monitor is still confirming it.
func (d *Daemon) prepareRequest(ctx context.Context, r wire.Request, progress func(wire.Event)) error {
	if err := checkKind(r); err != nil {
		return err
	}
	if r.Kind == planner.KindManual && r.From == "" {
		if progress == nil {
			progress = d.logProgress
		}
		return d.waitConfirmed(ctx, progress)
	}
	return nil
}

// waitConfirmed waits while a provider fails its checks without being
// down yet, up to what the monitor needs to decide (fail_after rounds).
func (d *Daemon) waitConfirmed(ctx context.Context, progress func(wire.Event)) error {
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
			case w.isProbed(st.Name) && st.LastChecked.Before(asked) && time.Now().Before(fresh):
				// Checked, but not since the request; a provider no check
				// runs on any more (nothing placed there) is not waited for.
				stale = append(stale, st.Name)
			case st.Failing:
				failing = append(failing, st.Name)
			}
		}
		if len(failing) == 0 && len(stale) == 0 {
			return nil
		}
		if !told && len(failing) > 0 {
			progress(wire.Event{Time: time.Now(), Phase: "info",
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
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return nil, d.notLeading(ctx, "abort")
	}
	defer unlead()
	_, release, err := d.slot.acquire(lctx, "abort requested over the control socket ("+conv.Peer+")", false)
	if err != nil {
		return nil, err
	}
	defer release()
	eng, _ := d.current()
	op, err := eng.Abort(lctx, id, reason)
	if err != nil {
		return nil, err
	}
	return map[string]any{"aborted": op.ID, "status": op.Status, "reason": op.Summary}, nil
}
