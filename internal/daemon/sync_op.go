package daemon

import (
	"context"
	"fmt"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/zonesync"
)

// syncRequested is `lifeboat sync --yes` while the daemon runs: the
// leader writes the plan in its operation slot, so it never writes beside
// a failover, a drill or its own sync, and journals it as its own sync.
func (d *Daemon) syncRequested(ctx context.Context, req *control.SyncRequest, conv *control.Conv) (any, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: %s needs the zones to sync", engine.ErrInvalidRequest, control.OpSync)
	}
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return nil, d.notLeading(ctx, "sync --yes")
	}
	defer unlead()
	by := "requested over the control socket (" + conv.Peer + ")"
	d.log.Info("zone sync requested", "zone", req.Zone, "adopt", req.Adopt, "by", conv.Peer, "waiting_for", d.slot.current())
	// An operator's sync waits for a running operation, as resume does.
	octx, release, err := d.slot.acquire(lctx, "zone sync "+by, false)
	if err != nil {
		return nil, err
	}
	defer release()
	eng, _ := d.current()
	doc, err := eng.SyncPlan(octx, req.Zone, zonesync.Options{Adopt: req.Adopt})
	if err != nil {
		return nil, err
	}
	werr := eng.Sync(octx, &doc) // writes only the targets that differ
	// What was written is journaled even when the operator's Ctrl-C ended
	// the request halfway.
	d.syncObserved(context.WithoutCancel(lctx), doc, by)
	return doc, werr
}

// syncObserved counts a sync in the metrics and journals what it wrote,
// what failed and new drift it may not change; by says who asked ("" for
// the daemon's own).
func (d *Daemon) syncObserved(ctx context.Context, doc engine.SyncDoc, by string) {
	for _, t := range doc.Targets {
		drift := len(t.Plan.Create) + len(t.Plan.Change) + len(t.Plan.Delete) + len(t.Plan.Left)
		result := "same"
		switch {
		case t.Error != "":
			result = "failed"
			d.log.Error("zone sync failed", "dns", t.Provider, "zone", t.Zone, "err", t.Error)
		case t.Applied:
			result = "written"
			d.log.Info("zone synced", "dns", t.Provider, "zone", t.Zone, "created", len(t.Plan.Create),
				"changed", len(t.Plan.Change), "deleted", len(t.Plan.Delete), "left_alone", len(t.Plan.Left))
		}
		d.metrics.ObserveSync(t.Provider, drift, result)
		if result != "same" || (len(t.Plan.Left) > 0 && d.newDrift(t)) {
			dec := syncDecision(t, result)
			if by != "" {
				dec.Summary += " (" + by + ")"
			}
			d.record(ctx, dec)
		}
	}
}

// prepareRequested is `lifeboat prepare` while the daemon runs: this
// node's workspaces are initialised in its operation slot, never beside an
// operation that applies in them. Each node prepares its own, leader or not.
func (d *Daemon) prepareRequested(ctx context.Context, change engine.BackendChange, conv *control.Conv) (any, error) {
	d.log.Info("workspace preparation requested", "by", conv.Peer, "backend", string(change), "waiting_for", d.slot.current())
	octx, release, err := d.slot.acquire(ctx, "preparing the workspaces, requested over the control socket ("+conv.Peer+")", false)
	if err != nil {
		return nil, err
	}
	defer release()
	eng, _ := d.current()
	results := eng.Prepare(octx, change, func(r engine.PrepareResult) {
		if r.Err() != nil {
			d.log.Error("workspace not prepared", "provider", r.Provider, "err", r.Err())
		}
	})
	return results, nil
}
