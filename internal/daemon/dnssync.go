package daemon

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/zonesync"
)

// keepZonesInSync makes every DNS provider of a zone hold its source's
// records every policy.sync_interval, until ctx ends. Only the leader
// syncs; a sync gives way to any operation (it is skipped while one runs,
// as a drill is).
func (d *Daemon) keepZonesInSync(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		d.syncZones(ctx)
	}
}

func (d *Daemon) syncZones(ctx context.Context) {
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return // the leader syncs
	}
	defer unlead()
	octx, release, err := d.slot.acquire(lctx, "keeping the zones in sync", true)
	if err != nil {
		return // an operation runs: the next interval syncs
	}
	defer release()
	eng, _ := d.current()
	doc, err := eng.SyncPlan(octx, "", zonesync.Options{})
	if err != nil {
		d.log.Error("zone sync: cannot read the source of truth", "err", err)
		return
	}
	_ = eng.Sync(octx, &doc) // each target's error is in its entry, logged there
	d.syncObserved(lctx, doc, "")
}

// syncDecision is the decision journaled (and announced) for a sync that
// wrote, failed, or found records it may not change.
func syncDecision(t engine.SyncTarget, result string) decision {
	summary := fmt.Sprintf("zone %s at %s kept in sync with %s: %d created, %d changed, %d deleted",
		t.Zone, t.Provider, t.Source, len(t.Plan.Create), len(t.Plan.Change), len(t.Plan.Delete))
	action := "dns_synced"
	if result == "failed" {
		action = "dns_sync_failed"
		summary = fmt.Sprintf("zone %s at %s could not be kept in sync with %s: %s", t.Zone, t.Provider, t.Source, t.Error)
	}
	var evidence []string
	for _, l := range t.Plan.Left {
		evidence = append(evidence, fmt.Sprintf("%s %s left alone: %s", l.Name, l.Type, l.Reason))
	}
	if len(evidence) > 0 {
		summary += fmt.Sprintf("; %d record(s) differ and are not the sync's to change", len(evidence))
	}
	return decision{Action: action, Providers: []string{t.Provider}, Summary: summary, Evidence: evidence}
}

// newDrift reports whether a target's records left alone differ from the
// last time they were journaled, so unchanged drift is journaled once.
func (d *Daemon) newDrift(t engine.SyncTarget) bool {
	var keys []string
	for _, l := range t.Plan.Left {
		keys = append(keys, l.Name+" "+l.Type)
	}
	key := "sync:" + t.Provider
	now := strings.Join(keys, ",")
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.driftSeen == nil {
		d.driftSeen = map[string]string{}
	}
	if d.driftSeen[key] == now {
		return false
	}
	d.driftSeen[key] = now
	return true
}
