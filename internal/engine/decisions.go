package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// The daemon's narrow way into the journal: the decisions and the hold
// switch it records, and the little it reads back, without the raw
// journal.

// RecordDecision journals one of the daemon's decisions: summary and doc
// (marshalled to JSON) are redacted first.
func (e *Engine) RecordDecision(ctx context.Context, services, operation, summary string, doc any) error {
	j, err := e.Journal()
	if err != nil {
		return err
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = j.Append(ctx, journal.Record{Kind: journal.RecordDecision, At: time.Now(), Service: services, OpID: operation,
		Summary: e.Cfg.Redact(summary), Data: json.RawMessage(e.Cfg.Redact(string(data)))})
	return err
}

// RecordHold journals the hold switch turned to state (JSON) at at.
func (e *Engine) RecordHold(ctx context.Context, at time.Time, summary string, state any) error {
	j, err := e.Journal()
	if err != nil {
		return err
	}
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	if _, err := j.Append(ctx, journal.Record{Kind: journal.RecordHold, At: at, Summary: summary, Data: data}); err != nil {
		return fmt.Errorf("journal the hold switch: %w", err)
	}
	return nil
}

// LastHold decodes the hold switch last journaled into state; false when
// it was never turned.
func (e *Engine) LastHold(ctx context.Context, state any) (bool, error) {
	j, err := e.Journal()
	if err != nil {
		return false, err
	}
	recs, err := j.Records(ctx, journal.RecordHold, 1)
	if err != nil || len(recs) == 0 {
		return false, err
	}
	if err := json.Unmarshal(recs[0].Data, state); err != nil {
		return false, fmt.Errorf("record %d: %w: %v", recs[0].Seq, journal.ErrCorrupt, err)
	}
	return true, nil
}

// Unfinished lists the unfinished operations.
func (e *Engine) Unfinished(ctx context.Context) ([]journal.Operation, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	return j.UnfinishedAll(ctx)
}

// PlacedNow is where each service runs, by the journal.
func (e *Engine) PlacedNow(ctx context.Context) (map[string]string, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	return e.PlacedAt(ctx, j)
}

// Config is the configuration the engine runs with.
func (e *Engine) Config() *config.Config { return e.Cfg }

// GroupsNow builds the checks for the services' placement in the journal.
func (e *Engine) GroupsNow(ctx context.Context) ([]*health.Group, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	pl, err := e.Placement(ctx, j)
	if err != nil {
		return nil, err
	}
	return e.Groups(pl)
}

// DecisionRecords reads up to limit of the daemon's decisions, newest
// first, without the hold switch's records.
func (e *Engine) DecisionRecords(ctx context.Context, limit int) ([]journal.Record, error) {
	j, err := e.Journal()
	if err != nil {
		return nil, err
	}
	return j.Records(ctx, journal.RecordDecision, limit)
}
