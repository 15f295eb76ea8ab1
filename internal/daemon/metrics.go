package daemon

import (
	"context"
	"slices"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/metrics"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// metricsSource lets the metrics read the watch in use at scrape time.
type metricsSource struct{ d *Daemon }

func (s metricsSource) Snapshot() health.Snapshot {
	_, w := s.d.current()
	if w == nil {
		return health.Snapshot{}
	}
	return w.snapshot()
}

func (s metricsSource) Stats() health.Stats {
	_, w := s.d.current()
	if w == nil {
		return health.Stats{}
	}
	return w.sched.Stats()
}

// seedMetrics counts what the journal already holds, oldest first, so the
// counters and the age of the last successful drill survive a restart.
func (d *Daemon) seedMetrics(ctx context.Context) {
	eng, _ := d.current()
	for _, dr := range eng.Cfg.Drills {
		if dr.Schedule != "" {
			d.metrics.ExpectDrill(dr.Service, d.started)
		}
	}
	ops, err := eng.History(ctx, 0)
	if err != nil {
		d.log.Warn("metrics: cannot read past operations", "err", err)
	}
	for _, op := range slices.Backward(ops) {
		if op.Status.Terminal() {
			d.metrics.ObserveOperation(op)
		}
	}
	reps, err := eng.DrillReports(ctx, 0)
	if err != nil {
		d.log.Warn("metrics: cannot read past drills", "err", err)
	}
	for _, rep := range slices.Backward(reps) {
		d.metrics.ObserveDrill(rep)
	}
}

// observeOperations counts finished operations by ID.
func (d *Daemon) observeOperations(ctx context.Context, ids ...string) {
	rec := d.records()
	for _, id := range ids {
		if id == "" {
			continue
		}
		if op, err := rec.Operation(context.WithoutCancel(ctx), id); err == nil && op.Status.Terminal() {
			d.metrics.ObserveOperation(op)
		}
	}
}

// observeOutcome counts the operations an engine run finished.
func (d *Daemon) observeOutcome(ctx context.Context, out wire.Outcome) {
	var ids []string
	for _, r := range out.Resumed {
		ids = append(ids, r.Operation)
	}
	if out.Report != nil {
		ids = append(ids, out.Report.Operation)
	}
	d.observeOperations(ctx, ids...)
}

// watchDNS refreshes the DNS providers' states for the metrics, every
// 30 s or every interval if longer, reading each zone through its API.
// With a registrar block it also asks the nameservers alone every
// interval, and a zone whose DNS provider stops serving may be
// re-delegated.
func (d *Daemon) watchDNS(ctx context.Context, every, full time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last time.Time
	for {
		eng, _ := d.current()
		var states map[string]planner.Observation
		if time.Since(last) >= full {
			last = time.Now()
			states = eng.DNSStates(ctx)
			d.dns.put(states, last)
			for name, o := range states {
				d.metrics.SetDNSState(name, string(o.State))
			}
		} else {
			states = eng.DNSServing(ctx)
		}
		d.considerRedelegation(ctx, eng, states)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var _ metrics.Source = metricsSource{}
