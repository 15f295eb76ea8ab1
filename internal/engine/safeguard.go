package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/safeguard"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// SafeguardPolicy is the configuration's policy as the safeguards read it.
func (e *Engine) SafeguardPolicy() safeguard.Policy {
	p := e.Cfg.Policy
	return safeguard.Policy{Auto: p.AutoFailover, MaxAuto: p.MaxAuto, Window: p.AutoWindow, Cooldown: p.Cooldown}
}

// SafeguardHistory reads the journal's operations once, newest first, as
// the safeguards read them.
func (e *Engine) SafeguardHistory(ctx context.Context) ([]safeguard.Past, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	return safeguardHistory(ctx, j)
}

func safeguardHistory(ctx context.Context, j journal.Journal) ([]safeguard.Past, error) {
	ops, err := j.Operations(ctx, 0)
	if err != nil {
		return nil, err
	}
	past := make([]safeguard.Past, len(ops))
	for i, op := range ops {
		past[i] = safeguard.Past{ID: op.ID, Automatic: op.Kind == string(planner.KindAutomatic), Services: op.Services, Service: op.Service, Started: op.Started}
	}
	return past, nil
}

// holdInCooldown blocks the automatic move of a service whose last
// automatic failover started less than policy.cooldown ago: a provider
// flapping between up and down must not drag a service back and forth.
// Manual operations are never held. The daemon has applied the other
// safeguards before it asked for the move.
func (e *Engine) holdInCooldown(ctx context.Context, j journal.Journal, plan *planner.Result, now time.Time) error {
	policy := e.SafeguardPolicy()
	if policy.Cooldown <= 0 {
		return nil
	}
	var moves []string
	for _, sp := range plan.Services {
		if sp.Action == planner.ActionMove {
			moves = append(moves, sp.Service)
		}
	}
	if len(moves) == 0 {
		return nil
	}
	past, err := safeguardHistory(ctx, j)
	if err != nil {
		return err
	}
	v := safeguard.Check(policy, safeguard.Facts{History: past}, now, safeguard.Request{Kind: safeguard.Automatic, Moves: moves})
	for _, c := range v.Cooling {
		for i := range plan.Services {
			sp := &plan.Services[i]
			if sp.Service != c.Service || sp.Action != planner.ActionMove {
				continue
			}
			sp.Action, sp.Steps = planner.ActionBlocked, nil
			sp.Reason = fmt.Sprintf("held back: the last automatic failover of %s (operation %s) began %s ago, within policy.cooldown %s; a manual failover is not held",
				sp.Service, c.Last.ID, c.Ago.Round(time.Second), policy.Cooldown)
		}
	}
	return nil
}
