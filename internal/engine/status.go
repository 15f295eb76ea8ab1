package engine

import (
	"context"
	"errors"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Status runs every check for the given rounds and reports what it saw.
// A journal held by another process is not an error: each service is then
// taken to be at its first candidate, and the document says so.
func (e *Engine) Status(ctx context.Context, rounds int) (*wire.StatusDoc, error) {
	doc := &wire.StatusDoc{Config: e.Cfg.Filename, Rounds: rounds, Providers: []wire.StatusProvider{}, Services: []wire.StatusService{}, DNS: []wire.StatusDNS{}}
	var j journal.Journal
	jj, err := e.Journal()
	switch {
	case err == nil:
		j = jj
	case errors.Is(err, journal.ErrLocked):
		doc.Warnings = append(doc.Warnings, "the journal is in use by another lifeboat process: placements are each service's first candidate")
	default:
		return nil, err
	}
	pl, err := e.Placement(ctx, j)
	if err != nil {
		return nil, err
	}
	obs, err := e.observe(ctx, pl, observeOptions{Rounds: rounds})
	if err != nil {
		return nil, err
	}
	e.fillStatus(doc, pl, obs)
	doc.DNSCheckedAt = doc.At
	if HasData(e.Cfg, "") {
		v := e.MeasureData(ctx, "", 0)
		doc.Data, doc.Backups = e.DataRows(v), e.BackupRows(v)
	}
	return doc, nil
}

// liveJournalWait bounds LiveStatus's read of the placement.
const liveJournalWait = 3 * time.Second

// DNSView is the DNS providers' states as read at At (the daemon's
// cache).
type DNSView struct {
	States map[string]planner.Observation
	At     time.Time
}

// LiveStatus reports a long-lived monitor's view (the daemon's) with the
// placement in the engine's journal and the DNS states in dns, without
// running any check or reading any zone.
func (e *Engine) LiveStatus(ctx context.Context, snap health.Snapshot, dns DNSView, data DataView) (*wire.StatusDoc, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	// A journal that does not answer (etcd cut off from this node) must
	// not take the monitor's view down with it.
	pctx, cancel := context.WithTimeout(ctx, liveJournalWait)
	pl, err := e.Placement(pctx, j)
	cancel()
	var warnings []string
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		pl, _ = e.placement(ctx, nil, true)
		warnings = append(warnings, "the journal cannot be read, so each service is shown at its first candidate: "+e.Cfg.Redact(err.Error()))
	}
	rounds := 0
	for _, p := range snap.Providers {
		rounds = max(rounds, p.Rounds)
	}
	doc := &wire.StatusDoc{Config: e.Cfg.Filename, Rounds: rounds, Providers: []wire.StatusProvider{}, Services: []wire.StatusService{}, DNS: []wire.StatusDNS{}, Warnings: warnings}
	e.fillStatus(doc, pl, e.observationOf(ctx, snap, func(context.Context) map[string]planner.Observation { return dns.States }))
	doc.DNSCheckedAt = dns.At.UTC()
	doc.Data, doc.Backups = e.DataRows(data), e.BackupRows(data)
	return doc, nil
}

func (e *Engine) fillStatus(doc *wire.StatusDoc, pl Placement, obs observation) {
	snap := obs.Snapshot
	doc.At = time.Now().UTC()
	for _, p := range snap.Providers {
		sp := wire.StatusProvider{Name: p.Name, State: p.State, Reason: p.Reason, Checks: []wire.StatusCheck{}}
		if !p.Since.IsZero() {
			since := p.Since.UTC()
			sp.Since = &since
		}
		for _, r := range p.Results {
			sp.Checks = append(sp.Checks, wire.StatusCheck{
				Service: r.Service, Check: r.Check, Kind: r.Kind, Target: r.Target, OK: r.OK, Unknown: r.Unknown,
				AccountLost: r.AccountLost, LatencyMS: float64(r.Latency.Microseconds()) / 1000,
				Reason: r.Reason, Warning: r.Warning, At: r.At.UTC(),
			})
		}
		doc.Providers = append(doc.Providers, sp)
	}
	for _, d := range e.Cfg.DNS {
		o := obs.DNS[d.Name]
		doc.DNS = append(doc.DNS, wire.StatusDNS{Name: d.Name, Zone: d.Zone, State: string(o.State), Reason: o.Reason}) // redacted by Observe
	}
	states := snap.States()
	for _, s := range e.Cfg.Services {
		at := pl.Provider[s.Name]
		doc.Services = append(doc.Services, wire.StatusService{Name: s.Name, Placement: at, Addresses: pl.Addresses[s.Name],
			Source: pl.Source[s.Name], ProviderState: states[at]})
	}
}
