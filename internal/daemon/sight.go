package daemon

import (
	"context"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
)

// blindPrefix starts every account of a node that cannot trust its own
// view: in the log, the journal and status.
const blindPrefix = "this node cannot see the world: holding back"

// blind says why this node's own view is no evidence now, or "" when it
// is. A probe that failed for a reason on this node (out of descriptors,
// no route anywhere) within the rounds that could confirm a loss, or
// every reference check failing, makes it so: whatever looks lost then
// may only be lost from here.
func (d *Daemon) blind() string {
	_, w := d.current()
	if w == nil {
		return ""
	}
	p := d.operator().Config().Policy
	window := time.Duration(p.FailAfter)*p.Interval + p.Timeout
	if why, at := w.mon.LocalFault(); !at.IsZero() && time.Since(at) <= window {
		return "a probe failed for a reason on this node at " + at.Local().Format(time.TimeOnly) + ": " + why
	}
	return w.references().Blind()
}

// noteSight logs and journals once when this node stops seeing the world,
// and logs when it sees again. It runs on the decision loop.
func (d *Daemon) noteSight(ctx context.Context) string {
	why := d.blind()
	switch {
	case why != "" && !d.wasBlind:
		d.wasBlind = true
		d.log.Warn(blindPrefix, "reason", why)
		d.record(ctx, decision{Action: "held_back", Summary: blindPrefix + ": " + why})
	case why == "" && d.wasBlind:
		d.wasBlind = false
		d.log.Info("this node sees the world again: its checks count as evidence again")
	}
	return why
}

// blindView is snap as a node that cannot see the world publishes it to
// the others: every provider unknown, so its view counts toward no loss.
func blindView(snap health.Snapshot, why string) health.Snapshot {
	out := health.Snapshot{Providers: make([]health.ProviderStatus, len(snap.Providers))}
	for i, p := range snap.Providers {
		p.State, p.Failing, p.Reason = health.StateUnknown, false, blindPrefix+": "+why
		out.Providers[i] = p
	}
	return out
}
