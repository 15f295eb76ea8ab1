package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// ttlState is what the daemon knows of one hosting provider's records and
// their pre-emptive TTL.
type ttlState struct {
	// AtRiskSince is when it was last seen at risk; Reason says why.
	AtRiskSince time.Time
	Reason      string
	// Lowered is set once its services' records have the emergency TTL at
	// every DNS provider; Services are the services lowered.
	Lowered  bool
	Services []string
	Records  []string
	// HealthySince is when it turned healthy again (zero while it is not).
	HealthySince time.Time
	// failing is set once a failed write was journaled, so a failure that
	// lasts is journaled once.
	failing bool
}

// ttlAction is what decideTTL asks for.
type ttlAction int

const (
	ttlNone ttlAction = iota
	ttlLower
	ttlRestore
)

// decideTTL is the pre-emptive TTL rule, for one provider and one round:
// at risk and not lowered: lower. Lowered and healthy (not at risk) for
// the recovery window, counted from when it turned healthy: restore. A
// provider that is down or unknown keeps what it has, and its recovery
// window starts again when it is healthy.
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
		if !st.Lowered {
			return st, ttlLower
		}
	case healthy && st.Lowered:
		if st.HealthySince.IsZero() {
			st.HealthySince = now
		}
		if now.Sub(st.HealthySince) >= window {
			return st, ttlRestore
		}
	default:
		st.HealthySince = time.Time{}
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
	j, err := eng.Journal()
	if err != nil {
		return
	}
	d.loadTTL(ctx, j)
	snap := d.view()
	placed, err := eng.PlacedAt(ctx, j)
	if err != nil {
		d.log.Error("pre-emptive TTL: cannot read placement", "err", err)
		return
	}
	policy := eng.Cfg.Policy
	for _, p := range snap.Providers {
		risk, why := atRisk(p)
		d.mu.Lock()
		before := d.ttl[p.Name]
		st, action := decideTTL(before, risk, p.State == health.StateHealthy, why, time.Now(), policy.RecoveryWindow)
		d.mu.Unlock()
		switch action {
		case ttlLower:
			var services []string
			for _, s := range eng.Cfg.Services {
				if placed[s.Name] == p.Name {
					services = append(services, s.Name)
				}
			}
			slices.Sort(services)
			st = d.lowerTTL(ctx, eng, p.Name, st, services)
		case ttlRestore:
			st = d.restoreTTL(ctx, eng, p.Name, st)
		}
		d.mu.Lock()
		if st.AtRiskSince.IsZero() && !st.Lowered {
			delete(d.ttl, p.Name)
		} else {
			d.ttl[p.Name] = st
		}
		d.mu.Unlock()
		if st.Lowered || before.Lowered {
			d.metrics.SetTTLLowered(p.Name, st.Lowered)
		}
	}
}

func (d *Daemon) lowerTTL(ctx context.Context, eng *engine.Engine, provider string, st ttlState, services []string) ttlState {
	emergency := eng.Cfg.Policy.EmergencyTTL
	var changes []engine.TTLChange
	for _, s := range services {
		changes = append(changes, eng.SetServiceTTL(ctx, s, emergency, func(have time.Duration) bool { return have > emergency })...)
	}
	evidence, failed, changed := ttlEvidence(changes)
	dec := decision{Providers: []string{provider}, Services: services, Evidence: evidence}
	if failed > 0 {
		if !st.failing {
			st.failing = true
			dec.Action = "ttl_failed"
			dec.Summary = fmt.Sprintf("%s is at risk (%s); lowering the TTL of its records to %s failed at %d RRset(s); retrying every interval", provider, st.Reason, emergency, failed)
			d.record(ctx, dec)
		}
		return st
	}
	st.failing, st.Lowered, st.Services = false, true, services
	st.Records = append(st.Records[:0], evidence...)
	dec.Action = "ttl_lowered"
	dec.Summary = fmt.Sprintf("%s is at risk (%s): %d RRset(s) pointing at it lowered to the emergency TTL %s at every DNS provider, so a failover propagates in seconds",
		provider, st.Reason, changed, emergency)
	d.record(ctx, dec)
	return st
}

func (d *Daemon) restoreTTL(ctx context.Context, eng *engine.Engine, provider string, st ttlState) ttlState {
	emergency := eng.Cfg.Policy.EmergencyTTL
	var changes []engine.TTLChange
	for _, name := range st.Services {
		s := eng.Cfg.Service(name)
		if s == nil {
			continue // removed from the configuration meanwhile
		}
		normal := time.Duration(s.TTL) * time.Second
		// Only what the lowering wrote: a record a failover has since
		// rewritten carries the service's TTL already.
		changes = append(changes, eng.SetServiceTTL(ctx, name, normal, func(have time.Duration) bool { return have == emergency && normal != emergency })...)
	}
	evidence, failed, changed := ttlEvidence(changes)
	dec := decision{Providers: []string{provider}, Services: st.Services, Evidence: evidence}
	if failed > 0 {
		if !st.failing {
			st.failing = true
			dec.Action = "ttl_failed"
			dec.Summary = fmt.Sprintf("%s has been healthy for %s; restoring the TTL of its records failed at %d RRset(s); retrying every interval", provider, eng.Cfg.Policy.RecoveryWindow, failed)
			d.record(ctx, dec)
		}
		return st
	}
	dec.Action = "ttl_restored"
	dec.Summary = fmt.Sprintf("%s has been healthy for the recovery window (%s): %d RRset(s) back to their service's TTL", provider, eng.Cfg.Policy.RecoveryWindow, changed)
	d.record(ctx, dec)
	return ttlState{}
}

// ttlEvidence turns changes into evidence lines, and counts the failed
// and the changed ones.
func ttlEvidence(changes []engine.TTLChange) (lines []string, failed, changed int) {
	for _, c := range changes {
		lines = append(lines, c.String())
		switch {
		case c.Error != "":
			failed++
		case c.Changed:
			changed++
		}
	}
	return lines, failed, changed
}

// loadTTL reads, once, the records the journal says are still lowered, so
// that a restarted daemon restores them too.
func (d *Daemon) loadTTL(ctx context.Context, j journal.Journal) {
	d.mu.Lock()
	loaded := d.ttl != nil
	d.mu.Unlock()
	if loaded {
		return
	}
	recs, err := j.Records(ctx, journal.RecordDecision, 1000)
	if err != nil {
		d.log.Error("pre-emptive TTL: cannot read the journal's decisions", "err", err)
	}
	states := map[string]ttlState{}
	seen := map[string]bool{}
	for _, r := range recs { // newest first
		var dec decision
		if json.Unmarshal(r.Data, &dec) != nil || len(dec.Providers) != 1 {
			continue
		}
		p := dec.Providers[0]
		if seen[p] || (dec.Action != "ttl_lowered" && dec.Action != "ttl_restored") {
			continue
		}
		seen[p] = true
		if dec.Action == "ttl_lowered" {
			states[p] = ttlState{AtRiskSince: r.At, Reason: "lowered before this daemon started", Lowered: true,
				Services: slices.Clone(dec.Services), Records: dec.Evidence}
		}
	}
	d.mu.Lock()
	if d.ttl == nil {
		d.ttl = states
	}
	d.mu.Unlock()
}

// ttlStatus is the pre-emptive TTL part of the daemon's status.
func (d *Daemon) ttlStatus(window time.Duration) []engine.TTLStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []engine.TTLStatus
	for name, st := range d.ttl {
		ts := engine.TTLStatus{Provider: name, AtRiskSince: st.AtRiskSince, Reason: st.Reason, Lowered: st.Lowered,
			Services: st.Services, Records: st.Records, HealthySince: st.HealthySince}
		if st.Lowered && !st.HealthySince.IsZero() {
			ts.RestoreAt = st.HealthySince.Add(window)
		}
		out = append(out, ts)
	}
	slices.SortFunc(out, func(a, b engine.TTLStatus) int { return strings.Compare(a.Provider, b.Provider) })
	return out
}
