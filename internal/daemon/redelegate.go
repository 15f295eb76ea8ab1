package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// delegations is what the daemon remembers between DNS rounds about the
// zones it may re-delegate. Only watchDNS's goroutine touches it.
type delegations struct {
	// lostRounds counts, per dns block, the consecutive rounds it was
	// seen down or account_lost.
	lostRounds map[string]int
	// done is, per zone, the lost set it was last re-delegated (or held
	// back) for: the same loss is acted on once.
	done map[string]string
	// retry is, per zone, no new attempt before.
	retry map[string]time.Time
}

// considerRedelegation looks at one round of DNS states. A zone with a
// registrar whose DNS provider has been lost for policy.fail_after rounds
// is re-delegated to the others when policy.auto_redelegate is on, and
// otherwise journaled once for a person. Only the leader acts.
func (d *Daemon) considerRedelegation(ctx context.Context, eng *engine.Engine, states map[string]planner.Observation) {
	cfg := eng.Cfg
	if len(cfg.Registrars) == 0 {
		return
	}
	if d.blind() != "" {
		return // what this node sees of the DNS providers is no evidence now
	}
	dl := &d.delegations
	if dl.lostRounds == nil {
		dl.lostRounds, dl.done, dl.retry = map[string]int{}, map[string]string{}, map[string]time.Time{}
	}
	for name, o := range states {
		// A provider whose API alone fails still serves the zone: with
		// nothing moving, it stays in the delegation (see the planner).
		if (o.State == planner.StateDown || o.State == planner.StateAccountLost) && !o.Serving {
			dl.lostRounds[name]++
		} else {
			delete(dl.lostRounds, name)
		}
	}
	for _, g := range cfg.Registrars {
		var lost, evidence []string
		for _, dns := range cfg.DNS {
			if dns.Zone == g.Zone && dl.lostRounds[dns.Name] >= cfg.Policy.FailAfter {
				lost = append(lost, dns.Name)
				evidence = append(evidence, fmt.Sprintf("dns %s: %s for %d rounds: %s", dns.Name, states[dns.Name].State, dl.lostRounds[dns.Name], states[dns.Name].Reason))
			}
		}
		key := strings.Join(lost, ",")
		if len(lost) == 0 {
			delete(dl.done, g.Zone)
			continue
		}
		if dl.done[g.Zone] == key || time.Now().Before(dl.retry[g.Zone]) {
			continue
		}
		lctx, unlead, err := d.asLeader(ctx)
		if err != nil {
			continue // the leader decides
		}
		d.redelegateZone(lctx, eng, g.Zone, lost, evidence)
		unlead()
	}
}

func (d *Daemon) redelegateZone(ctx context.Context, eng *engine.Engine, zone string, lost, evidence []string) {
	dl := &d.delegations
	key := strings.Join(lost, ",")
	base := decision{Providers: lost, Evidence: evidence}
	if !eng.Cfg.Policy.AutoRedelegate {
		dl.done[zone] = key
		base.Action = "held_back"
		base.Summary = fmt.Sprintf("zone %s: DNS provider %s lost; policy.auto_redelegate is off: run `lifeboat failover` to delegate the zone to the others",
			zone, strings.Join(lost, ", "))
		d.record(ctx, base)
		return
	}
	octx, release, err := d.slot.acquire(ctx, "re-delegating zone "+zone, false)
	if err != nil {
		return // shutting down
	}
	out, err := eng.Run(octx, wire.Request{Kind: planner.KindAutomatic, ZonesOnly: true}, engine.Hooks{Progress: d.logProgress, Snapshot: d.view})
	release()
	d.observeOutcome(ctx, out)
	if out.Report != nil {
		base.Operation = out.Report.Operation
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return // shutting down: the operation is journaled for resume
	case errors.Is(err, engine.ErrBlocked):
		dl.done[zone] = key
		base.Action, base.Summary = "held_back", fmt.Sprintf("zone %s not re-delegated: %s", zone, out.Message)
	case err != nil:
		dl.retry[zone] = time.Now().Add(eng.Cfg.Policy.Cooldown)
		base.Action, base.Summary = "failed", fmt.Sprintf("re-delegation of zone %s failed: %v", zone, err)
	case out.Report == nil:
		// The fresh look found nothing to re-delegate (the provider
		// answers again).
		dl.done[zone] = key
		base.Action, base.Summary = "none", fmt.Sprintf("zone %s: nothing to re-delegate: %s", zone, out.Message)
	default:
		dl.done[zone] = key
		base.Action, base.Summary = "redelegated", redelegatedText(out, zone)
	}
	d.record(ctx, base)
}

func redelegatedText(out wire.Outcome, zone string) string {
	if out.Report == nil {
		return "zone " + zone + ": " + out.Message
	}
	var parts []string
	for _, zr := range out.Report.Zones {
		if zr.OK && !slices.Contains(parts, zr.Zone) {
			parts = append(parts, fmt.Sprintf("zone %s delegated to %s at %s", zr.Zone, strings.Join(zr.NS, ", "), zr.Registrar))
		}
	}
	return fmt.Sprintf("%s (operation %s)", strings.Join(parts, "; "), out.Report.Operation)
}
