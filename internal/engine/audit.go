package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/dnsquery"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/internal/zonesync"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// auditLookupTimeout bounds each live look-up of the audit.
const auditLookupTimeout = 10 * time.Second

// AuditJournal reads what the audit needs from the journal; a command
// whose journal a running daemon holds reads it through the daemon.
type AuditJournal interface {
	// Operations lists every operation, newest first.
	Operations(ctx context.Context) (wire.HistoryDoc, error)
	// Placement maps each service moved by an operation to its provider.
	Placement(ctx context.Context) (map[string]string, error)
	// Drills lists every drill report, newest first.
	Drills(ctx context.Context) ([]wire.DrillReport, error)
}

// AuditOptions tune Audit.
type AuditOptions struct {
	// Offline skips the look-ups over the network.
	Offline bool
	// Journal, when set, is read instead of the engine's journal.
	Journal AuditJournal
}

// Audit judges the configuration and the facts looked up for it.
func (e *Engine) Audit(ctx context.Context, opts AuditOptions) audit.Report {
	return audit.Audit(e.Cfg, e.auditFacts(ctx, opts))
}

// ParseSeverity reads a severity as --fail-on names it.
func ParseSeverity(s string) (audit.Severity, error) { return audit.ParseSeverity(s) }

// WriteAudit renders the report as json, markdown or, for any other
// format, text.
func WriteAudit(w io.Writer, format string, rep audit.Report) error {
	switch format {
	case "json":
		return audit.WriteJSON(w, rep)
	case "markdown":
		return audit.WriteMarkdown(w, rep)
	}
	return audit.WriteText(w, rep)
}

// auditFacts looks up what `lifeboat audit` judges: the placement, the
// measured applies and the drills from the journal, each workspace's state
// backend and, unless offline, the zones' delegation, the records each
// DNS provider serves, and the standbys' addresses from their workspaces.
// What cannot be looked up is listed as unchecked, with why; nothing here
// changes anything.
func (e *Engine) auditFacts(ctx context.Context, opts AuditOptions) audit.Facts {
	offline := opts.Offline
	f := audit.Facts{
		Now:        time.Now(),
		Placement:  map[string]string{},
		Delegation: map[string][]string{},
		Published:  map[string][]audit.Record{},
		Addresses:  map[string][]string{},
		Backends:   map[string]audit.Backend{},
		ApplyTimes: map[string]time.Duration{},
		Drills:     map[string][]audit.DrillFact{},
	}
	unchecked := func(check, subject, reason string) {
		f.Unchecked = append(f.Unchecked, audit.Unchecked{Check: check, Subject: subject, Reason: e.Cfg.Redact(reason)})
	}
	src := opts.Journal
	if src == nil {
		src = engineJournal{e}
	}
	auditJournal(ctx, src, &f, unchecked)
	for _, p := range e.Cfg.Providers {
		if p.Terraform == nil {
			continue
		}
		// backend_config completes the block at init: its settings that
		// are not secret say where the state is.
		public := map[string]string{}
		for k, v := range p.Terraform.BackendConfig {
			if !p.Terraform.SecretBackendConfig[k] {
				public[k] = v
			}
		}
		b, err := terraform.ReadBackendCompleted(e.Cfg.Path(p.Terraform.Dir), public)
		if err != nil {
			unchecked("shared-fate", "provider "+p.Name, "its workspace's state backend: "+err.Error())
			continue
		}
		ab := audit.Backend{Type: b.Type, Vendor: b.Vendor, Detail: b.Detail}
		if p.Terraform.StateVendor != "" {
			ab.Vendor = p.Terraform.StateVendor
		}
		f.Backends[p.Name] = ab
	}
	for _, p := range e.Cfg.Providers {
		if len(p.Addresses) > 0 {
			f.Addresses[p.Name] = p.Addresses
		}
	}
	// Only a standby's addresses matter to the exposure check: where a
	// service runs now, its address is meant to be published.
	running := map[string]bool{}
	for _, s := range e.Cfg.Services {
		if p, ok := f.Placement[s.Name]; ok {
			running[p] = true
		} else if len(s.Candidates) > 0 {
			running[s.Candidates[0]] = true
		}
	}
	if !offline && HasData(e.Cfg, "") {
		e.auditData(e.MeasureData(ctx, "", 0), &f)
	} else if HasData(e.Cfg, "") {
		unchecked("data", "data and backups", "--offline: not measured")
	}
	if offline {
		for _, zone := range e.zones() {
			unchecked("shared-fate", "zone "+zone, "--offline: the delegation was not looked up")
		}
		for _, d := range e.Cfg.DNS {
			unchecked("exposure", "dns "+d.Name, "--offline: the records it serves were not read")
		}
		for _, t := range e.secondaries() {
			unchecked("dns-drift", "dns "+t, "--offline: not compared with its zone's source of truth")
		}
		for _, p := range e.Cfg.Providers {
			if len(p.Addresses) == 0 && p.Terraform != nil && !running[p.Name] {
				unchecked("exposure", "provider "+p.Name, "--offline: no addresses in the configuration, and its workspace's outputs were not read")
			}
		}
		return f
	}
	for _, zone := range e.zones() {
		ns, err := e.delegation(ctx, zone)
		if err != nil {
			unchecked("shared-fate", "zone "+zone, "the delegation: "+err.Error())
			continue
		}
		f.Delegation[zone] = ns
	}
	// Each zone is read once at each DNS provider: for the exposure and
	// for the drift.
	served := map[string][]libdns.Record{}
	failed := map[string]error{}
	for _, d := range e.Cfg.DNS {
		recs, err := e.zoneRecords(ctx, d.Name)
		if err != nil {
			failed[d.Name] = err
			unchecked("exposure", "dns "+d.Name, "the records it serves: "+err.Error())
			continue
		}
		served[d.Name] = recs
		f.Published[d.Name] = make([]audit.Record, 0, len(recs)) // read, even when empty
		for _, r := range recs {
			rr := r.RR()
			f.Published[d.Name] = append(f.Published[d.Name], audit.Record{Name: rr.Name, Type: rr.Type, Value: rr.Data})
		}
	}
	read := func(_ context.Context, name string) ([]libdns.Record, error) { return served[name], failed[name] }
	if doc, err := e.syncPlan(ctx, "", zonesync.Options{}, read); err != nil {
		for _, t := range e.secondaries() {
			unchecked("dns-drift", "dns "+t, err.Error())
		}
	} else {
		f.Drift = map[string]audit.Drift{}
		for _, t := range doc.Targets {
			if t.Error != "" {
				unchecked("dns-drift", "dns "+t.Provider, t.Error)
				continue
			}
			f.Drift[t.Provider] = audit.Drift{Zone: t.Zone, Source: t.Source, Differ: driftOf(t.Plan)}
		}
	}
	for _, p := range e.Cfg.Providers {
		if len(p.Addresses) > 0 || p.Terraform == nil || running[p.Name] {
			continue
		}
		var addrs []string
		for _, s := range e.Cfg.Services {
			if slices.Contains(s.Candidates, p.Name) {
				actx, cancel := context.WithTimeout(ctx, auditLookupTimeout)
				addrs = e.outputAddresses(actx, s.Name, p.Name)
				cancel()
				break
			}
		}
		if len(addrs) == 0 {
			unchecked("exposure", "provider "+p.Name, "no addresses in the configuration or in its workspace's outputs (a standby not applied yet has none)")
			continue
		}
		f.Addresses[p.Name] = addrs
	}
	return f
}

// auditJournal fills what the journal knows: where each service runs, the
// last measured apply at each provider, and the drills.
func auditJournal(ctx context.Context, src AuditJournal, f *audit.Facts, unchecked func(check, subject, reason string)) {
	if pl, err := src.Placement(ctx); err != nil {
		unchecked("single-loss", "journal", "the placement (each service is taken to run on its first candidate): "+err.Error())
	} else {
		for svc, p := range pl {
			f.Placement[svc] = p
		}
	}
	if doc, err := src.Operations(ctx); err != nil {
		unchecked("rto-budget", "journal", "the measured applies: "+err.Error())
	} else {
		for _, op := range doc.Operations { // newest first: the first apply seen is the last measured
			for _, st := range op.Steps {
				parts := strings.Split(st.ID, "/")
				if len(parts) < 3 || parts[len(parts)-1] != "apply" || st.Status != journal.StepOK || st.Finished.IsZero() {
					continue
				}
				provider := parts[len(parts)-2]
				if _, seen := f.ApplyTimes[provider]; !seen {
					f.ApplyTimes[provider] = st.Finished.Sub(st.Started)
				}
			}
		}
	}
	reps, err := src.Drills(ctx)
	if err != nil {
		unchecked("readiness", "journal", "the drill reports: "+err.Error())
		f.Drills = nil // not read: no service is judged never drilled
		return
	}
	for _, r := range reps {
		f.Drills[r.Service] = append(f.Drills[r.Service], audit.DrillFact{Name: r.Name, Mode: string(r.Mode), At: r.Finished, OK: r.OK && !r.Aborted})
	}
}

// engineJournal is AuditJournal over the engine's own journal, opened
// read-only for the call.
type engineJournal struct{ e *Engine }

func (j engineJournal) Operations(ctx context.Context) (wire.HistoryDoc, error) {
	ops, err := j.e.History(ctx, 0)
	return wire.HistoryDoc{Operations: ops}, err
}

func (j engineJournal) Drills(ctx context.Context) ([]wire.DrillReport, error) {
	return j.e.DrillReports(ctx, 0)
}

func (j engineJournal) Placement(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := j.e.withJournal(func(jr journal.Journal) error {
		if jr == nil {
			return nil
		}
		pl, err := jr.Placement(ctx)
		for svc, p := range pl {
			out[svc] = p.Provider
		}
		return err
	})
	return out, err
}

// delegation asks the zone's authoritative servers (every DNS block's
// nameservers for it) for its NS set, and returns the union. The NS set
// at the apex is what the parent delegates to when the two agree; a
// parent that disagrees is itself a finding of `dig +trace`, not read here.
func (e *Engine) delegation(ctx context.Context, zone string) ([]string, error) {
	var out []string
	var failures []string
	for _, d := range e.Cfg.DNS {
		if d.Zone != zone {
			continue
		}
		for _, server := range e.nameserversOf(ctx, d.Name) {
			msg, err := dnsquery.Ask(ctx, server, zone, dns.TypeNS, dnsquery.Options{Authoritative: true})
			if err != nil {
				failures = append(failures, err.Error())
				continue
			}
			for _, rr := range msg.Answer {
				if ns, ok := rr.(*dns.NS); ok {
					host := strings.ToLower(strings.TrimSuffix(ns.Ns, "."))
					if !slices.Contains(out, host) {
						out = append(out, host)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		if len(failures) == 0 {
			return nil, fmt.Errorf("no nameserver is known for %s: set nameservers in its dns blocks", zone)
		}
		return nil, fmt.Errorf("no nameserver answered for %s: %s", zone, strings.Join(failures, "; "))
	}
	slices.Sort(out)
	return out, nil
}

// secondaries lists the dns blocks that are not their zone's first.
func (e *Engine) secondaries() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range e.Cfg.DNS {
		if seen[d.Zone] {
			out = append(out, d.Name)
		}
		seen[d.Zone] = true
	}
	return out
}

// driftOf lists a sync plan's differences, without the sync's own
// ownership marks (lifeboat's bookkeeping, not the zone's content).
func driftOf(p zonesync.Plan) []string {
	var out []string
	add := func(name, typ, how string) {
		if name == "_lifeboat" || strings.HasPrefix(name, "_lifeboat.") {
			return
		}
		out = append(out, name+" "+typ+": "+how)
	}
	for _, c := range p.Create {
		add(c.Name, c.Type, "missing here")
	}
	for _, c := range p.Change {
		add(c.Name, c.Type, "differs ("+strings.Join(c.From.Values, ", ")+" here, "+strings.Join(c.To.Values, ", ")+" at the source)")
	}
	for _, c := range p.Delete {
		add(c.Name, c.Type, "gone from the source, still here")
	}
	for _, l := range p.Left {
		add(l.Name, l.Type, l.Reason)
	}
	return out
}
