package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
	"github.com/lifeboat-dev/lifeboat/internal/zonefile"
	"github.com/lifeboat-dev/lifeboat/internal/zonesync"
)

// syncTimeout bounds reading or writing one zone at one DNS provider.
const syncTimeout = 30 * time.Second

// SyncOptions tune SyncPlan.
type SyncOptions = zonesync.Options

// SyncTarget is the plan for one DNS provider of a zone.
type SyncTarget struct {
	Zone     string        `json:"zone"`
	Source   string        `json:"source"` // the dns block read as the truth
	Provider string        `json:"dns"`
	Plan     zonesync.Plan `json:"plan"`
	// Error says why the provider could not be read (no plan) or written.
	Error string `json:"error,omitempty"`
	// Applied is set once the plan was written.
	Applied bool `json:"applied,omitempty"`
}

// SyncDoc is the JSON document of `lifeboat sync -o json`.
type SyncDoc struct {
	Targets []SyncTarget `json:"targets"`
	// adopt is the plan's zonesync.Options.Adopt: the writer may take
	// over what the plan changes without the sync's mark.
	adopt bool
}

// SyncPlan reads each zone (all when zone is empty) at its source of
// truth, the zone's first dns block, and at every other dns block of the
// zone, and plans what makes each hold the source's records. Nothing is
// written.
func (e *Engine) SyncPlan(ctx context.Context, zone string, opts zonesync.Options) (SyncDoc, error) {
	return e.syncPlan(ctx, zone, opts, e.zoneRecords)
}

// syncPlan is SyncPlan with the zones read by read (the audit passes the
// records it has already read).
func (e *Engine) syncPlan(ctx context.Context, zone string, opts zonesync.Options, read func(context.Context, string) ([]libdns.Record, error)) (SyncDoc, error) {
	doc := SyncDoc{adopt: opts.Adopt}
	found := false
	for _, z := range e.zones() {
		if zone != "" && !strings.EqualFold(strings.TrimSuffix(zone, ".")+".", z) {
			continue
		}
		found = true
		var names []string
		for _, d := range e.Cfg.DNS {
			if d.Zone == z {
				names = append(names, d.Name)
			}
		}
		from, source, targets, err := e.syncSource(ctx, z, names, read)
		if err != nil {
			return doc, err
		}
		for _, name := range targets {
			t := SyncTarget{Zone: z, Source: from, Provider: name}
			target, err := read(ctx, name)
			if err != nil {
				t.Error = e.Cfg.Redact(fmt.Sprintf("read zone %s: %v", z, err))
			} else {
				t.Plan = zonesync.Diff(source, target, opts)
			}
			doc.Targets = append(doc.Targets, t)
		}
	}
	if !found {
		return doc, fmt.Errorf("%w: no dns block serves zone %q (zones: %s)", ErrInvalidRequest, zone, strings.Join(e.zones(), ", "))
	}
	return doc, nil
}

// syncSource reads zone z's source of truth: its zone file when a zone
// block names one (every dns block of the zone is then a target), else
// its first dns block (the others are the targets). A zone with one dns
// block and no file has no target.
func (e *Engine) syncSource(ctx context.Context, z string, names []string, read func(context.Context, string) ([]libdns.Record, error)) (from string, source []libdns.Record, targets []string, err error) {
	if file := e.Cfg.ZoneFile(z); file != "" {
		source, err = zonefile.Read(file, z)
		if err != nil {
			return "", nil, nil, fmt.Errorf("read zone %s at its source of truth: %w", z, err)
		}
		return "zone file " + e.Cfg.Rel(file), source, names, nil
	}
	if len(names) < 2 {
		return "", nil, nil, nil // one provider: nothing to keep in sync
	}
	source, err = read(ctx, names[0])
	if err != nil {
		return "", nil, nil, fmt.Errorf("read zone %s at its source of truth, dns %q: %w", z, names[0], err)
	}
	return names[0], source, names[1:], nil
}

// Sync writes each target's plan: deletions last, so a name is never
// left with nothing while its new records are on their way. A target that
// fails is reported in its entry; the others are still written.
func (e *Engine) Sync(ctx context.Context, doc *SyncDoc) error {
	if !slices.ContainsFunc(doc.Targets, func(t SyncTarget) bool { return t.Error == "" && !t.Plan.Empty() }) {
		return nil
	}
	// Written under the leadership, as an operation is: with an etcd
	// journal, a command run while a daemon leads is refused, naming it.
	ctx, unlead, err := e.lead(ctx)
	if err != nil {
		return err
	}
	defer unlead()
	failed := 0
	for i := range doc.Targets {
		t := &doc.Targets[i]
		if t.Error != "" || t.Plan.Empty() {
			continue
		}
		if err := e.writeSync(ctx, t, doc.adopt); err != nil {
			t.Error = e.Cfg.Redact(err.Error())
			failed++
			continue
		}
		t.Applied = true
	}
	if failed > 0 {
		return fmt.Errorf("the sync failed at %d DNS provider(s); the rest were written", failed)
	}
	return nil
}

// writeSync writes one target's plan through a DNS writer with the
// sync's owner: what the plan would write over another owner's records
// (a service's addresses above all) is refused there, whatever the plan.
func (e *Engine) writeSync(ctx context.Context, t *SyncTarget, adopt bool) error {
	p, err := e.dnsProvider(t.Provider)
	if err != nil {
		return err
	}
	var set, del []libdns.Record
	for _, cs := range [][]zonesync.Change{t.Plan.Create, t.Plan.Change} {
		for _, c := range cs {
			set = append(set, records(*c.To)...)
		}
	}
	for _, c := range t.Plan.Delete {
		del = append(del, records(*c.From)...)
	}
	w := &dnswriter.Writer{Name: t.Provider, Provider: p, Zone: t.Zone, Owner: zonesync.Owner, Adopt: adopt, BeforeWrite: e.leaderFence}
	return syncRetry.Do(ctx, func(ctx context.Context) (bool, error) {
		if _, err := w.Read(ctx); err != nil {
			return true, err
		}
		if err := w.Set(ctx, set); err != nil {
			return !dnswriter.Permanent(err), fmt.Errorf("write %d record(s) to zone %s: %w%s", len(set), t.Zone, err, refusedHint(err))
		}
		if err := w.Delete(ctx, del); err != nil {
			return !dnswriter.Permanent(err), fmt.Errorf("delete %d record(s) from zone %s: %w", len(del), t.Zone, err)
		}
		err := w.Confirm(ctx)
		return err != nil, err
	})
}

// syncRetry bounds the writes of a sync at one DNS provider.
var syncRetry = dnswriter.Retry{Attempts: 3, AttemptTimeout: syncTimeout}

func records(r zonesync.RRset) []libdns.Record {
	out := make([]libdns.Record, 0, len(r.Values))
	for _, v := range r.Values {
		out = append(out, libdns.RR{Name: r.Name, TTL: r.TTL, Type: r.Type, Data: v})
	}
	return out
}

// zones lists the configured zones once each, in configuration order.
func (e *Engine) zones() []string {
	var out []string
	for _, d := range e.Cfg.DNS {
		if !slices.Contains(out, d.Zone) {
			out = append(out, d.Zone)
		}
	}
	return out
}

// zoneRecords reads the records a dns block serves for its zone.
func (e *Engine) zoneRecords(ctx context.Context, name string) ([]libdns.Record, error) {
	p, err := e.dnsProvider(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	return p.GetRecords(ctx, e.Cfg.DNSProvider(name).Zone)
}

// refusedHint explains an update a DNS server refused: the key's rights,
// or a check of the server's own that the records fail.
func refusedHint(err error) string {
	if !strings.Contains(err.Error(), "REFUSED") {
		return ""
	}
	return " (the server refused the update: its update policy does not allow the key, or the records fail a check of its own, such as BIND's refusal of an MX or SRV whose target in the zone has no address)"
}
