package engine

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/backup"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// recordDataPositions is the journal's record of the primaries' WAL
// positions last seen: a lost primary cannot be asked, so the replica
// that is to replace it is compared with what was seen while it answered.
const recordDataPositions journal.RecordKind = "data-positions"

// DataView is one round of measurements of the services' data and
// backups.
type DataView struct {
	At       time.Time
	Readings []datafresh.Reading
	Backups  []backup.Status
}

// HasData reports whether any service of cfg (or the one named) has a
// data or backup block: only then is anything measured.
func HasData(cfg *config.Config, service string) bool {
	for _, s := range cfg.Services {
		if (service == "" || s.Name == service) && (len(s.Data) > 0 || len(s.Backups) > 0) {
			return true
		}
	}
	return false
}

// MeasureData measures every data block and backup of service ("" for
// all), limit at a time (0: datafresh.DefaultLimit), and journals the
// primaries' WAL positions it saw. A measurement that fails is reported
// as unknown, never as an error.
func (e *Engine) MeasureData(ctx context.Context, service string, limit int) DataView {
	v := DataView{At: time.Now()}
	if !HasData(e.Cfg, service) {
		return v
	}
	v.Readings = e.measureFreshness(ctx, service, limit, v.At)
	v.Backups = backup.Measure(ctx, e.Cfg, service, v.At)
	return v
}

// measureFreshness measures the data blocks alone (an operation or a
// drill needs no bucket listing) and journals the primaries' positions.
// An exec source is told a provider's configured addresses (datafresh's
// default).
func (e *Engine) measureFreshness(ctx context.Context, service string, limit int, at time.Time) []datafresh.Reading {
	pos := e.dataPositions(ctx)
	rs := datafresh.Round(ctx, e.Cfg, datafresh.RoundOptions{
		Service: service, Positions: pos, Limit: limit, Timeout: DataTimeout(e.Cfg),
	})
	e.rememberPositions(ctx, pos, datafresh.PrimaryPositions(rs), at)
	return rs
}

// minDataTimeout is the least time one measurement gets: a PostgreSQL
// login is a password hash on each side, slower than a health probe on
// a loaded machine, and a measurement cut short is "unknown", which
// blocks a failover gated by an RPO.
const minDataTimeout = 5 * time.Second

// DataTimeout bounds one measurement: policy.timeout, at least
// minDataTimeout.
func DataTimeout(cfg *config.Config) time.Duration {
	return max(cfg.Policy.Timeout, minDataTimeout)
}

// journalOrNil is the journal, or nil when it cannot be opened (held by
// another process): the data is measured anyway.
func (e *Engine) journalOrNil() journal.Journal {
	j, err := e.Journal()
	if err != nil {
		return nil
	}
	return j
}

// dataPositions returns the positions last seen: this engine's memory,
// read from the journal the first time.
func (e *Engine) dataPositions(ctx context.Context) map[string]datafresh.LSN {
	e.dataMu.Lock()
	defer e.dataMu.Unlock()
	if e.positions != nil {
		return maps.Clone(e.positions)
	}
	pos := map[string]datafresh.LSN{}
	if j := e.journalOrNil(); j != nil {
		if recs, err := j.Records(ctx, recordDataPositions, 1); err == nil && len(recs) > 0 {
			var saved map[string]string
			if json.Unmarshal(recs[0].Data, &saved) == nil {
				for k, s := range saved {
					if l, err := datafresh.ParseLSN(s); err == nil {
						pos[k] = l
					}
				}
			}
		}
	}
	e.positions = pos
	return maps.Clone(pos)
}

// rememberPositions keeps the newer of each position and journals them
// when one moved.
func (e *Engine) rememberPositions(ctx context.Context, old, seen map[string]datafresh.LSN, at time.Time) {
	e.dataMu.Lock()
	changed := false
	if e.positions == nil {
		e.positions = maps.Clone(old)
	}
	for k, l := range seen {
		if l > e.positions[k] {
			e.positions[k], changed = l, true
		}
	}
	saved := make(map[string]string, len(e.positions))
	for k, l := range e.positions {
		saved[k] = l.String()
	}
	e.dataMu.Unlock()
	if !changed {
		return
	}
	j := e.journalOrNil()
	if j == nil {
		return
	}
	data, err := json.Marshal(saved)
	if err != nil {
		return
	}
	if _, err := j.Append(context.WithoutCancel(ctx), journal.Record{Kind: recordDataPositions, At: at, Summary: "primary WAL positions seen", Data: data}); err != nil {
		e.Log.Warn("cannot journal the primaries' WAL positions", "err", e.Cfg.Redact(err.Error()))
	}
}

// dataInput is the planner's view of the data of the services a request
// concerns: measured now, since an operation must not act on an old look.
func (e *Engine) dataInput(ctx context.Context, service string) map[string]map[string]planner.DataObservation {
	if !HasData(e.Cfg, service) {
		return nil
	}
	return datafresh.Observe(e.Cfg, e.measureFreshness(ctx, service, 0, time.Now()))
}

// DataRows are a round's readings as the status document shows them:
// one row per service, data block and provider, reasons redacted.
func (e *Engine) DataRows(v DataView) []wire.DataStatus {
	rows := make([]wire.DataStatus, 0, len(v.Readings))
	for _, r := range v.Readings {
		row := wire.DataStatus{Service: r.Service, Data: r.Data, Provider: r.Provider, Kind: r.Kind,
			State: wire.DataState(r.Verdict.State.String()), AgeKnown: r.Verdict.AgeKnown,
			Reason: e.Cfg.Redact(r.Verdict.Reason), MeasuredAt: r.Measurement.At.UTC()}
		if row.AgeKnown {
			row.AgeSeconds = r.Verdict.Age.Seconds()
		}
		if s := e.Cfg.Service(r.Service); s != nil {
			row.RPOSeconds = s.RPO.Seconds()
		}
		rows = append(rows, row)
	}
	return rows
}

// BackupRows are a round's backups as the status document shows them.
func (e *Engine) BackupRows(v DataView) []wire.BackupStatus {
	rows := make([]wire.BackupStatus, 0, len(v.Backups))
	for _, b := range v.Backups {
		row := wire.BackupStatus{Service: b.Service, Backup: b.Backup, Vendor: b.Vendor, Newest: b.Newest.Name,
			AgeSeconds: b.Age.Seconds(), MaxAgeSeconds: b.MaxAge.Seconds(), Over: b.Over, MeasuredAt: v.At.UTC()}
		if !b.Newest.Modified.IsZero() {
			row.NewestAt = b.Newest.Modified.UTC()
		}
		if b.Err != nil {
			row.Error = e.Cfg.Redact(b.Err.Error())
		}
		rows = append(rows, row)
	}
	return rows
}

// auditData fills the audit's data and backup facts from one round.
func (e *Engine) auditData(v DataView, f *audit.Facts) {
	if len(v.Readings) > 0 {
		f.Data = map[string][]audit.DataFact{}
	}
	for _, r := range e.DataRows(v) {
		f.Data[r.Service] = append(f.Data[r.Service], audit.DataFact{Data: r.Data, Provider: r.Provider, Age: r.Age(), Known: r.AgeKnown, Reason: r.Reason})
	}
	if len(v.Backups) > 0 {
		f.Backups = map[string][]audit.BackupFact{}
	}
	for _, b := range e.BackupRows(v) {
		f.Backups[b.Service] = append(f.Backups[b.Service], audit.BackupFact{Backup: b.Backup, Newest: b.Newest, At: b.NewestAt, Error: b.Error})
	}
}
