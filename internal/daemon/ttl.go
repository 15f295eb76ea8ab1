package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// ttlState is what the daemon knows of one hosting provider's records and
// their pre-emptive TTL.
type ttlState struct {
	// AtRiskSince is when it was last seen at risk; Reason says why.
	AtRiskSince time.Time
	Reason      string
	// Lowered is set once the lowering has been done at every DNS
	// provider that was up; Touched once any record got the emergency
	// TTL, so a lowering that failed half-way is restored too.
	Lowered bool
	Touched bool
	// Missed are the DNS providers that were down at the last lowering or
	// restore: it is done again next round, for them.
	Missed []string
	// Services are the services lowered; lines the evidence per record
	// (or per zone), keyed by DNS provider, name and type.
	Services []string
	lines    map[string]string
	// HealthySince is when it turned healthy again (zero while it is not).
	HealthySince time.Time
	// journaled is set once a lowering was journaled, so its restore is.
	journaled bool
	// failing is set once a failed write was journaled, so a failure that
	// lasts is journaled once.
	failing bool
}

// owed says whether records may have the emergency TTL because of it.
func (s ttlState) owed() bool { return s.Touched || (s.Lowered && len(s.Services) > 0) }

// ttlAction is what decideTTL asks for.
type ttlAction int

const (
	ttlNone ttlAction = iota
	ttlLower
	ttlRestore
)

// decideTTL is the pre-emptive TTL rule, for one provider and one round.
// At risk: lower, unless done (done again for DNS providers that were
// down). Healthy (not at risk) for the recovery window, counted from when
// it turned healthy, with records that may be lowered: restore. Healthy
// with nothing lowered: forget it. A provider that is down or unknown
// keeps what it has (a failover moves its records anyway; endMovedTTL ends
// it once every service lowered has moved), and its recovery window starts
// again when it is healthy.
func decideTTL(st ttlState, atRisk, healthy bool, reason string, now time.Time, window time.Duration) (ttlState, ttlAction) {
	switch {
	case atRisk:
		st.HealthySince = time.Time{}
		if st.AtRiskSince.IsZero() || !st.Lowered {
			st.Reason = reason
		}
		if st.AtRiskSince.IsZero() {
			st.AtRiskSince = now
		}
		if !st.Lowered || len(st.Missed) > 0 {
			return st, ttlLower
		}
	case healthy && st.owed():
		if st.HealthySince.IsZero() {
			st.HealthySince = now
		}
		if now.Sub(st.HealthySince) >= window {
			return st, ttlRestore
		}
	case healthy:
		return ttlState{}, ttlNone
	default:
		st.HealthySince = time.Time{}
		// Down (or lost) since it was at risk: say so, not the degraded
		// round that first put it at risk.
		if reason != "" && !st.AtRiskSince.IsZero() {
			st.Reason = reason
		}
	}
	return st, ttlNone
}

// atRisk says whether a provider is at risk, and why: degraded, or its
// provider API warns about the account.
func atRisk(p health.ProviderStatus) (bool, string) {
	for _, r := range p.Results {
		if r.Kind == "provider_api" && r.Warning != "" {
			return true, r.Warning
		}
	}
	if p.State == health.StateDegraded {
		return true, "degraded: " + p.Reason
	}
	return false, ""
}

// preemptTTL lowers the TTL of the records pointing at every provider at
// risk, and restores it once the provider has been healthy for the
// recovery window. It runs on the decision loop, as the leader.
func (d *Daemon) preemptTTL(ctx context.Context) {
	eng, _ := d.current()
	if !d.loadTTL(ctx) {
		return
	}
	snap := d.view()
	var placed map[string]string // read when a provider needs it
	octx, busy := ctx, false
	var release func()
	var err error
	defer func() {
		if release != nil {
			release()
		}
	}()
	policy := eng.Cfg.Policy
	for _, p := range snap.Providers {
		risk, why := atRisk(p)
		if p.State == health.StateDown || p.State == health.StateAccountLost {
			why = string(p.State) + ": " + p.Reason
		}
		d.mu.Lock()
		before := d.ttl[p.Name]
		st, action := decideTTL(before, risk, p.State == health.StateHealthy, why, time.Now(), policy.RecoveryWindow)
		d.mu.Unlock()
		if action != ttlNone && release == nil && !busy {
			// The writes take the operation slot as the zone sync does: a
			// cutover must not have its records written back with their
			// old values, and a failover that starts takes precedence.
			if octx, release, err = d.slot.acquire(ctx, "changing TTLs ahead of a failover", true); err != nil {
				d.log.Debug("pre-emptive TTL: waiting for the running operation; next round", "reason", err)
				octx, busy = ctx, true
			} else if placed, err = eng.PlacedNow(octx); err != nil {
				d.log.Error("pre-emptive TTL: cannot read placement; trying again next round", "err", err)
				return
			}
		}
		if busy {
			action = ttlNone // decided again next round
		}
		if action == ttlNone && !risk && p.State != health.StateHealthy && st.owed() {
			st = d.endMovedTTL(ctx, eng, p.Name, st)
		}
		switch action {
		case ttlLower:
			st = d.lowerTTL(octx, eng, p.Name, st, placedAt(eng, placed, p.Name))
		case ttlRestore:
			st = d.restoreTTL(octx, eng, p.Name, st, placed)
		}
		d.mu.Lock()
		if st.AtRiskSince.IsZero() && !st.owed() {
			delete(d.ttl, p.Name)
		} else {
			d.ttl[p.Name] = st
		}
		d.mu.Unlock()
		if st.owed() || before.owed() {
			d.metrics.SetTTLLowered(p.Name, st.owed())
		}
	}
}

// placedAt lists, sorted, the services placed at provider.
func placedAt(eng *engine.Engine, placed map[string]string, provider string) []string {
	var out []string
	for _, s := range eng.Cfg.Services {
		if placed[s.Name] == provider {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

// downDNS asks every DNS provider whether it answers, and names the ones
// that do not, with why: they are left out until they are back.
func downDNS(ctx context.Context, eng *engine.Engine) map[string]string {
	out := map[string]string{}
	for name, o := range eng.DNSStates(ctx) {
		if o.State == planner.StateDown || o.State == planner.StateAccountLost {
			out[name] = string(o.State) + ": " + o.Reason
		}
	}
	return out
}

func (d *Daemon) lowerTTL(ctx context.Context, eng *engine.Engine, provider string, st ttlState, services []string) ttlState {
	emergency := eng.Cfg.Policy.EmergencyTTL
	changes := eng.SetTTL(ctx, engine.TTLRequest{Services: services, Down: downDNS(ctx, eng),
		TTL: func(_ string, have time.Duration) (time.Duration, bool) { return emergency, have > emergency }})
	st.Services = services
	st, dec := lowered(st, changes, provider, emergency)
	if dec != nil {
		d.record(ctx, *dec)
	}
	return st
}

// lowered folds one lowering's changes into st and says what to journal
// (nil: nothing new).
func lowered(st ttlState, changes []engine.TTLChange, provider string, emergency time.Duration) (ttlState, *decision) {
	o := summarize(changes)
	st.note(changes)
	st.Missed = o.missed
	st.Touched = st.Touched || o.changed > 0
	dec := decision{Providers: []string{provider}, Services: st.Services, Evidence: o.lines}
	if o.failed > 0 {
		if st.failing && o.changed == 0 {
			return st, nil // journaled already; tried again next round
		}
		st.failing, st.journaled = true, true
		dec.Action = "ttl_failed"
		dec.Summary = fmt.Sprintf("%s is at risk (%s); lowering the TTL of its records to %s failed at %d RRset(s) or zone(s), %d RRset(s) lowered; trying again every round",
			provider, st.Reason, emergency, o.failed, o.changed)
		return st, &dec
	}
	if wroteNothing(o) {
		// Every RRset or zone was left alone (not marked as the service's,
		// or its DNS provider down): nothing has the emergency TTL, and
		// saying "lowered" would promise a fast failover that is not.
		// Done as far as it can be: DNS providers that were down are
		// tried again (Missed).
		st.Lowered = true
		if st.failing {
			return st, nil
		}
		st.failing = true
		dec.Action = "ttl_failed"
		dec.Summary = fmt.Sprintf("%s is at risk (%s); lowering the TTL of its records to %s wrote nothing: %d RRset(s) or zone(s) left alone (see the evidence)",
			provider, st.Reason, emergency, len(o.lines))
		return st, &dec
	}
	first := !st.Lowered
	st.failing, st.Lowered = false, true
	// A round that only tries again where a DNS provider was down is
	// journaled when it changes something.
	if (first && len(o.lines) > 0) || o.changed > 0 {
		st.journaled = true
		dec.Action = "ttl_lowered"
		dec.Summary = fmt.Sprintf("%s is at risk (%s): %d RRset(s) pointing at it lowered to the emergency TTL %s at every DNS provider that answers, so a failover propagates in seconds",
			provider, st.Reason, o.changed, emergency)
		return st, &dec
	}
	return st, nil
}

func (d *Daemon) restoreTTL(ctx context.Context, eng *engine.Engine, provider string, st ttlState, placed map[string]string) ttlState {
	emergency := eng.Cfg.Policy.EmergencyTTL
	window := eng.Cfg.Policy.RecoveryWindow
	// Only the services still placed here: a service a failover has moved
	// has records written by the cutover with its TTL, pointing at a
	// provider this one's recovery says nothing about.
	var services, moved []string
	for _, name := range st.Services {
		switch {
		case eng.Cfg.Service(name) == nil: // removed from the configuration meanwhile
		case placed[name] == provider:
			services = append(services, name)
		default:
			moved = append(moved, fmt.Sprintf("service %s is now at %s: its records are the failover's, left alone", name, placed[name]))
		}
	}
	// Only what a lowering wrote: the RRsets that have the emergency TTL.
	changes := eng.SetTTL(ctx, engine.TTLRequest{Services: services, Down: downDNS(ctx, eng),
		TTL: func(service string, have time.Duration) (time.Duration, bool) {
			normal := time.Duration(eng.Cfg.Service(service).TTL) * time.Second
			return normal, have == emergency && normal != emergency
		}})
	o := summarize(changes)
	st.note(changes)
	dec := decision{Providers: []string{provider}, Services: st.Services, Evidence: append(o.lines, moved...)}
	if o.failed > 0 {
		if st.failing && o.changed == 0 {
			return st
		}
		st.failing = true
		dec.Action = "ttl_failed"
		dec.Summary = fmt.Sprintf("%s has been healthy for %s; restoring the TTL of its records failed at %d RRset(s) or zone(s), %d RRset(s) restored; trying again every round",
			provider, window, o.failed, o.changed)
		d.record(ctx, dec)
		return st
	}
	st.failing = false
	if len(o.missed) > 0 {
		// A DNS provider that is down keeps the emergency TTL until it is
		// back: the restore is done again for it every round.
		st.Missed = o.missed
		if o.changed > 0 {
			dec.Action = "ttl_restoring"
			dec.Summary = fmt.Sprintf("%s has been healthy for the recovery window (%s): %d RRset(s) back to their service's TTL; DNS provider(s) %s down, restored when back",
				provider, window, o.changed, strings.Join(o.missed, ", "))
			d.record(ctx, dec)
		}
		return st
	}
	if st.journaled || len(dec.Evidence) > 0 {
		dec.Action = "ttl_restored"
		dec.Summary = fmt.Sprintf("%s has been healthy for the recovery window (%s): %d RRset(s) back to their service's TTL", provider, window, o.changed)
		d.record(ctx, dec)
	}
	return ttlState{}
}

// wroteNothing says whether a lowering looked at records and changed
// none of them: each was left alone or its zone skipped. A round with no
// lines at all (every RRset already low) wrote nothing because nothing
// was to be written.
func wroteNothing(o ttlOutcome) bool { return len(o.lines) > 0 && o.changed == 0 && o.failed == 0 }

// ttlOutcome is one round of changes, told and counted.
type ttlOutcome struct {
	lines           []string
	failed, changed int
	missed          []string // DNS providers left out because down
}

func summarize(changes []engine.TTLChange) ttlOutcome {
	var o ttlOutcome
	for _, c := range changes {
		o.lines = append(o.lines, c.String())
		switch {
		case c.Error != "":
			o.failed++
		case c.Changed:
			o.changed++
		case c.Type == "" && c.Skipped != "":
			o.missed = append(o.missed, c.DNS)
		}
	}
	return o
}

// note keeps the newest evidence line of each record (and of each zone
// left out), for the status. A zone line goes once its DNS provider is
// read again.
func (s *ttlState) note(changes []engine.TTLChange) {
	if s.lines == nil {
		s.lines = map[string]string{}
	}
	zoneLevel := map[string]bool{}
	for _, c := range changes {
		s.lines[c.DNS+"|"+c.Name+"|"+c.Type] = c.String()
		if c.Type == "" {
			zoneLevel[c.DNS] = true
		}
	}
	for k := range s.lines {
		dns, rest, _ := strings.Cut(k, "|")
		if strings.HasSuffix(rest, "|") && !zoneLevel[dns] {
			delete(s.lines, k)
		}
	}
}

// records is the evidence kept for the status, sorted.
func (s ttlState) records() []string {
	keys := slices.Sorted(maps.Keys(s.lines))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.lines[k])
	}
	return out
}

// loadTTL reads, once, the records the journal says may still be lowered,
// so that a restarted daemon (or a node that becomes the leader) restores
// them too. It says whether the state is known.
func (d *Daemon) loadTTL(ctx context.Context) bool {
	d.mu.Lock()
	loaded := d.ttl != nil
	d.mu.Unlock()
	if loaded {
		return true
	}
	recs, err := d.records().DecisionRecords(ctx, 1000)
	if err != nil {
		// Acting without it could forget a lowering: next round.
		d.log.Error("pre-emptive TTL: cannot read the journal's decisions; trying again next round", "err", err)
		return false
	}
	states := ttlFromJournal(recs, d.recoveryWindow())
	d.mu.Lock()
	if d.ttl == nil {
		d.ttl = states
	}
	d.mu.Unlock()
	return true
}

// ttlFromJournal rebuilds the TTL states from the journal's decisions,
// newest first: a provider whose newest TTL decision is not ttl_restored
// may still have lowered records. One in the middle of a restore (a DNS
// provider was down) has its recovery window behind it.
func ttlFromJournal(recs []journal.Record, window time.Duration) map[string]ttlState {
	states := map[string]ttlState{}
	seen := map[string]bool{}
	for _, r := range recs {
		var dec decision
		if json.Unmarshal(r.Data, &dec) != nil || len(dec.Providers) != 1 || !strings.HasPrefix(dec.Action, "ttl_") {
			continue
		}
		p := dec.Providers[0]
		if seen[p] {
			continue
		}
		seen[p] = true
		if dec.Action == "ttl_restored" {
			continue
		}
		st := ttlState{AtRiskSince: r.At, Reason: "lowered before this daemon led", Lowered: true, Touched: true,
			Services: slices.Clone(dec.Services), journaled: true, lines: map[string]string{}}
		for i, line := range dec.Evidence {
			st.lines[fmt.Sprintf("journal|%04d|", i)] = line
		}
		if dec.Action == "ttl_restoring" {
			st.HealthySince = r.At.Add(-window)
		}
		states[p] = st
	}
	return states
}

func (d *Daemon) recoveryWindow() time.Duration {
	eng, _ := d.current()
	return eng.Cfg.Policy.RecoveryWindow
}

// forgetTTL drops what this node knows of lowered TTLs when another node
// leads: that one acts on them now, and this one reads the journal again
// if it leads later.
func (d *Daemon) forgetTTL() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, st := range d.ttl {
		if st.owed() {
			d.metrics.SetTTLLowered(name, false)
		}
	}
	d.ttl = nil
}

// ttlStatus is the pre-emptive TTL part of the daemon's status.
func (d *Daemon) ttlStatus(window time.Duration) []wire.TTLStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []wire.TTLStatus
	for name, st := range d.ttl {
		ts := wire.TTLStatus{Provider: name, AtRiskSince: st.AtRiskSince, Reason: st.Reason, Lowered: st.owed(),
			Services: st.Services, Records: st.records(), HealthySince: st.HealthySince, Missed: st.Missed}
		if st.owed() && !st.HealthySince.IsZero() {
			ts.RestoreAt = st.HealthySince.Add(window)
		}
		out = append(out, ts)
	}
	slices.SortFunc(out, func(a, b wire.TTLStatus) int { return strings.Compare(a.Provider, b.Provider) })
	return out
}
