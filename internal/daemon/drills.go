package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// startDrills schedules every drill block that has a schedule. Jobs run
// with the daemon's context, one at a time, and never alongside another
// operation (a drill that finds one running is skipped and journaled).
func (d *Daemon) startDrills() {
	eng, _ := d.current()
	logger := cronLogger{d.log}
	c := cron.New(cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)), cron.WithLogger(logger))
	ids := map[string]cron.EntryID{}
	for _, dr := range eng.Cfg.Drills {
		if dr.Schedule == "" {
			continue
		}
		name := dr.Name
		id, err := c.AddFunc(dr.Schedule, func() { d.scheduledDrill(name) })
		ids[name] = id
		if err != nil {
			// The loader parsed it the same way; this is a bug, not input.
			d.log.Error("cannot schedule drill", "drill", name, "schedule", dr.Schedule, "err", err)
		}
	}
	c.Start()
	d.mu.Lock()
	d.cron, d.drillIDs = c, ids
	d.mu.Unlock()
}

// stopDrills stops scheduling; a running drill is cancelled through the
// slot and ends on its own.
func (d *Daemon) stopDrills() {
	d.mu.Lock()
	c := d.cron
	d.cron = nil
	d.mu.Unlock()
	if c != nil {
		c.Stop()
	}
}

func (d *Daemon) scheduledDrill(name string) {
	if d.nodes != nil {
		if _, ok := d.nodes.m.Leading(); !ok {
			d.log.Debug("scheduled drill left to the leader", "drill", name)
			return
		}
	}
	rep, err := d.runDrill(d.ctx, name, d.logProgress)
	switch {
	case errors.Is(err, control.ErrBusy):
		d.record(d.ctx, decision{Action: "drill_skipped", Summary: fmt.Sprintf("scheduled drill %s skipped: %v", name, err)})
	case err != nil:
		d.log.Warn("scheduled drill did not pass", "drill", name, "err", err)
	default:
		d.log.Info("scheduled drill passed", "drill", name, "took", rep.Finished.Sub(rep.Started).Round(time.Millisecond))
	}
}

// runDrill runs one drill in the slot; anything real that needs the slot
// cancels it.
func (d *Daemon) runDrill(ctx context.Context, name string, progress func(wire.Event)) (wire.DrillReport, error) {
	if ctx == nil {
		return wire.DrillReport{}, ErrShuttingDown
	}
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return wire.DrillReport{}, err
	}
	defer unlead()
	octx, release, err := d.slot.acquire(lctx, "drill "+name, true)
	if err != nil {
		return wire.DrillReport{}, err
	}
	defer release()
	eng, _ := d.current()
	rep, err := eng.Drill(octx, name, engine.Hooks{Progress: progress, Snapshot: d.view})
	if rep.Name != "" {
		d.metrics.ObserveDrill(rep)
		d.observeOperations(ctx, rep.Operations...)
	}
	if rep.Operations != nil || rep.Mode == "full" {
		d.follow(ctx)
	}
	return rep, err
}

func (d *Daemon) drillNow(ctx context.Context, name string, conv *control.Conv) (any, error) {
	return d.RunDrill(ctx, name, conv.Progress, "the control socket ("+conv.Peer+")")
}

// RunDrill runs the named drill now (who says from where, for the log);
// it is refused while another operation runs.
func (d *Daemon) RunDrill(ctx context.Context, name string, progress func(wire.Event), who string) (wire.DrillReport, error) {
	d.log.Info("drill requested", "drill", name, "by", who)
	tee := func(ev wire.Event) {
		d.logProgress(ev)
		if progress != nil {
			progress(ev)
		}
	}
	if d.nodes != nil {
		if _, ok := d.nodes.m.Leading(); !ok {
			var rep wire.DrillReport
			err := d.forward(ctx, "drill "+name, "/api/v1/drills/"+url.PathEscape(name), struct{}{}, &rep, progress)
			return rep, err
		}
	}
	rep, err := d.runDrill(ctx, name, tee)
	return rep, err
}

func (d *Daemon) drillSchedules() []wire.DrillSchedule {
	eng, _ := d.current()
	d.mu.Lock()
	c, ids := d.cron, d.drillIDs
	d.mu.Unlock()
	var out []wire.DrillSchedule
	for _, dr := range eng.Cfg.Drills {
		s := wire.DrillSchedule{Name: dr.Name, Mode: string(dr.Mode), Service: dr.Service, Schedule: dr.Schedule}
		if id, ok := ids[dr.Name]; ok && c != nil {
			s.Next = c.Entry(id).Next
		}
		out = append(out, s)
	}
	return out
}

// cronLogger sends cron's own messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
