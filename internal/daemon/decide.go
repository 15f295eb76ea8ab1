package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/safeguard"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// decision is what the daemon journals each time it acts or holds back.
type decision struct {
	// Action is failover, held_back, failed, none, resumed, drill_aborted.
	Action    string   `json:"action"`
	Services  []string `json:"services,omitempty"`
	Providers []string `json:"providers,omitempty"` // the lost providers
	Summary   string   `json:"summary"`
	Operation string   `json:"operation,omitempty"`
	Evidence  []string `json:"evidence,omitempty"`
}

// record journals a decision and logs it. A journal that cannot take it
// is logged, not fatal: the decision itself has been made.
func (d *Daemon) record(ctx context.Context, dec decision) {
	d.log.Info("decision: "+dec.Summary, "action", dec.Action, "services", dec.Services, "operation", dec.Operation)
	if err := d.records().RecordDecision(context.WithoutCancel(ctx), strings.Join(dec.Services, ","), dec.Operation, dec.Summary, dec); err != nil {
		d.log.Error("cannot journal a decision", "err", err)
	}
	d.announceDecision(dec)
}

// evaluate looks at the monitor and the placement and decides whether to
// fail over. It runs only on the decision loop's goroutine.
func (d *Daemon) evaluate(ctx context.Context) {
	op := d.operator()
	cfg := op.Config()
	_, w := d.current()
	trs := w.take()
	if d.forget.Swap(false) {
		clear(d.decided)
	}
	snap := d.view()
	placed, err := op.PlacedNow(ctx)
	if err != nil {
		d.log.Error("cannot read placement", "err", err)
		return
	}
	lost := map[string]health.ProviderStatus{}
	for _, p := range snap.Providers {
		if p.State == health.StateDown || p.State == health.StateAccountLost {
			lost[p.Name] = p
		}
	}
	var affected, lostNames []string
	for _, s := range cfg.Services {
		if p, ok := lost[placed[s.Name]]; ok {
			affected = append(affected, s.Name)
			if !slices.Contains(lostNames, p.Name) {
				lostNames = append(lostNames, p.Name)
			}
		}
	}
	for _, tr := range trs {
		d.announceTransition(tr)
	}
	for _, tr := range trs {
		if _, ok := lost[tr.Provider]; ok && (tr.To == health.StateDown || tr.To == health.StateAccountLost) && !slices.Contains(lostNames, tr.Provider) {
			d.record(ctx, decision{Action: "none", Providers: []string{tr.Provider},
				Summary: fmt.Sprintf("%s is %s (%s); no service runs on it: nothing to do", tr.Provider, tr.To, tr.Reason)})
		}
	}
	key := strings.Join(affected, ",")
	if len(affected) == 0 {
		clear(d.decided)
		d.setHeldBack("", time.Time{})
		return
	}
	where := fmt.Sprintf("%s on %s", strings.Join(affected, ", "), strings.Join(lostNames, ", "))
	if why := d.blind(); why != "" {
		// Not even a drill is aborted: the loss may be this node's own.
		d.holdBack(ctx, key, "blind", decision{Services: affected, Providers: lostNames},
			fmt.Sprintf("%s from failing over %s: %s", blindPrefix, where, why))
		return
	}
	for _, name := range lostNames {
		if d.slot.abortDrill(fmt.Sprintf("drill aborted: %s is %s (%s); the real failover goes first", name, lost[name].State, lost[name].Reason)) {
			d.record(ctx, decision{Action: "drill_aborted", Services: affected, Providers: lostNames,
				Summary: fmt.Sprintf("a drill was aborted: %s is %s", name, lost[name].State)})
		}
	}
	evidence := make([]string, 0, len(lostNames))
	for _, name := range lostNames {
		evidence = append(evidence, fmt.Sprintf("%s: %s since %s: %s", name, lost[name].State, lost[name].Since.Format(time.RFC3339), lost[name].Reason))
	}
	base := decision{Services: affected, Providers: lostNames, Evidence: evidence}
	policy := cfg.Policy
	hold := d.holdState()
	facts := safeguard.Facts{Hold: safeguard.Hold{On: hold.On, Since: hold.Since, Reason: hold.Reason}}
	if policy.AutoFailover && !hold.On {
		// The history is read only when the count can matter.
		if facts.History, err = op.SafeguardHistory(ctx); err != nil {
			d.log.Error("cannot count recent automatic failovers", "err", err)
			return
		}
	}
	// The cooldown is the engine's: it knows which services the plan moves.
	v := safeguard.Check(op.SafeguardPolicy(), facts, time.Now(), safeguard.Request{Kind: safeguard.Automatic})
	switch v.Rule {
	case safeguard.AutoOff:
		d.holdBack(ctx, key, "auto_off", base, fmt.Sprintf("not acting on %s: policy.auto_failover is off; run `lifeboat failover` to move them", where))
		return
	case safeguard.Held:
		d.holdBack(ctx, key, "hold", base, fmt.Sprintf("held back from failing over %s: the hold switch is on since %s (%s); `lifeboat hold off` or `lifeboat failover` to act",
			where, hold.Since.Local().Format(time.DateTime), orText(hold.Reason, "no reason given")))
		return
	case safeguard.MaxAuto:
		d.holdBack(ctx, key, "max_auto", base, fmt.Sprintf("held back from failing over %s: %d automatic failovers within policy.auto_failover_window %s, at most policy.max_auto_failovers %d; a person must decide: run `lifeboat failover`",
			where, v.Recent, policy.AutoWindow, policy.MaxAuto))
		return
	}
	if time.Now().Before(d.retry[key]) {
		return // the last attempt failed and was journaled; wait before the next
	}
	d.failover(ctx, key, base)
}

// holdBack journals a held-back decision once for each reason, not every
// interval while the loss lasts.
func (d *Daemon) holdBack(ctx context.Context, key, why string, dec decision, summary string) {
	if d.decided[key] == why {
		return
	}
	d.decided[key] = why
	dec.Action, dec.Summary = "held_back", summary
	d.record(ctx, dec)
	d.setHeldBack(summary, time.Now())
}

// setHeldBack keeps the decision held back while the loss lasts, for
// status and the page: what the daemon does not do, and what to type.
func (d *Daemon) setHeldBack(summary string, at time.Time) {
	d.mu.Lock()
	d.heldBack, d.heldBackAt = summary, at
	d.mu.Unlock()
}

func (d *Daemon) heldBackNow() (string, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.heldBack, d.heldBackAt
}

// failover runs the automatic failover through the engine, with the
// monitor's view (the loss is already confirmed).
func (d *Daemon) failover(ctx context.Context, key string, base decision) {
	op := d.operator()
	octx, release, err := d.slot.acquire(ctx, "automatic failover of "+key, false)
	if err != nil {
		return // shutting down
	}
	out, err := op.Run(octx, wire.Request{Kind: planner.KindAutomatic}, engine.Hooks{Progress: d.logProgress, Snapshot: d.view})
	release()
	d.observeOutcome(ctx, out)
	dec := base
	if out.Report != nil {
		dec.Operation = out.Report.Operation
	}
	switch {
	case errors.Is(err, engine.ErrBlocked):
		// The safeguards inside the plan (the cooldown, no healthy
		// target): journaled once per reason.
		d.holdBack(ctx, key, "blocked:"+stripDigits(out.Message), dec, "held back: "+out.Message)
		return
	case err != nil && ctx.Err() != nil:
		return // shutting down: the operation is journaled for resume
	case err != nil:
		dec.Action, dec.Summary = "failed", fmt.Sprintf("automatic failover of %s failed: %v", key, err)
		d.retry[key] = time.Now().Add(op.Config().Policy.Cooldown)
		if d.unfinished(ctx) {
			// The cooldown gates a new move; finishing this one is
			// resumed with backoff (see resumePending).
			dec.Summary += fmt.Sprintf("; the operation is unfinished: resumed in %s, then with backoff, until it completes or `lifeboat abort` ends it",
				d.resumeFailed().Round(time.Second))
		}
		d.record(ctx, dec)
	case out.Settled:
		d.holdBack(ctx, key, "settled:"+stripDigits(out.Message), dec, "nothing to move: "+out.Message)
		return
	default:
		dec.Action = "failover"
		dec.Summary = "failed over automatically: " + movedText(out)
		d.record(ctx, dec)
	}
	delete(d.decided, key)
	d.setHeldBack("", time.Time{})
	d.follow(ctx)
}

func movedText(out wire.Outcome) string {
	if out.Report == nil {
		return out.Message
	}
	var parts []string
	for _, sr := range out.Report.Services {
		if sr.OK {
			parts = append(parts, fmt.Sprintf("%s from %s to %s in %s", sr.Service, orText(sr.From, "-"), sr.To, sr.Recovery.Round(time.Millisecond)))
		} else {
			parts = append(parts, fmt.Sprintf("%s not moved: %s", sr.Service, sr.Error))
		}
	}
	return fmt.Sprintf("%s (operation %s)", strings.Join(parts, "; "), out.Report.Operation)
}

func stripDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return -1
		}
		return r
	}, s)
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
