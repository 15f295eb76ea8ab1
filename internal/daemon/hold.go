package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/control"
)

// loadHold reads the hold switch from the journal: it stays as it was
// left across restarts, so maintenance is not ended by a reboot.
func (d *Daemon) loadHold(ctx context.Context) error {
	var h control.HoldState
	found, err := d.records().LastHold(ctx, &h)
	if err != nil {
		return fmt.Errorf("read the hold switch: %w", err)
	}
	if !found {
		return nil
	}
	d.mu.Lock()
	d.hold = h
	d.mu.Unlock()
	return nil
}

func (d *Daemon) holdState() control.HoldState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hold
}

// setHold turns the hold switch on or off, journaled first.
func (d *Daemon) setHold(ctx context.Context, change control.HoldChange, by string) (control.HoldState, error) {
	if d.nodes != nil {
		if _, ok := d.nodes.m.Leading(); !ok {
			var h control.HoldState
			err := d.forward(ctx, "the hold switch", "/api/v1/hold", change, &h, nil)
			return h, err
		}
	}
	lctx, unlead, err := d.asLeader(ctx)
	if err != nil {
		return control.HoldState{}, err
	}
	defer unlead()
	ctx = lctx
	h := control.HoldState{On: change.On, Reason: change.Reason, Since: time.Now().UTC(), By: by}
	if prev := d.holdState(); h.On && prev.On {
		// On again: it has been on since then, and a second `hold on`
		// without --reason must not wipe out why it was turned on.
		h.Since = prev.Since
		if h.Reason == "" {
			h.Reason = prev.Reason
		}
	}
	summary := "hold switch off: automatic failover resumes"
	if h.On {
		summary = "hold switch on: no automatic failover until it is turned off (" + orText(h.Reason, "no reason given") + ")"
	}
	if err := d.records().RecordHold(ctx, h.Since, summary, h); err != nil {
		return control.HoldState{}, err
	}
	d.mu.Lock()
	d.hold = h
	d.mu.Unlock()
	d.log.Info(summary, "by", by)
	// Decide again at once: turning the hold off while a loss is held
	// back acts now, and the next held-back decision says why.
	d.forget.Store(true)
	select {
	case d.kick <- struct{}{}:
	default:
	}
	return h, nil
}
