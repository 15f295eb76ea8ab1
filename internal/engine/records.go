package engine

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// withJournal runs fn on the engine's open journal, or else on the
// journal opened read-only for the call: reading never creates or
// changes it. A journal that does not exist yet gives fn nil.
func (e *Engine) withJournal(fn func(journal.Journal) error) error {
	e.mu.Lock()
	j, released := e.journal, e.released
	e.mu.Unlock()
	if j != nil {
		return fn(j)
	}
	if released {
		return ErrReleased
	}
	ro, err := journal.Open(context.Background(), e.Cfg.State, e.Cfg.Dir, journal.OpenOptions{ReadOnly: true, Logger: e.Log})
	if errors.Is(err, journal.ErrNotFound) {
		return fn(nil)
	}
	if err != nil {
		return err
	}
	defer ro.Close()
	return fn(ro)
}

// Decisions returns up to limit of the daemon's decisions and hold switch
// changes, newest first (all when limit <= 0).
func (e *Engine) Decisions(ctx context.Context, limit int) ([]journal.Record, error) {
	var out []journal.Record
	err := e.withJournal(func(j journal.Journal) error {
		if j == nil {
			return nil
		}
		for _, kind := range []journal.RecordKind{journal.RecordDecision, journal.RecordHold} {
			recs, err := j.Records(ctx, kind, limit)
			if err != nil {
				return err
			}
			out = append(out, recs...)
		}
		// Newest first across both kinds, then the limit.
		slices.SortFunc(out, func(a, b journal.Record) int { return cmp.Compare(b.Seq, a.Seq) })
		if limit > 0 && len(out) > limit {
			out = out[:limit]
		}
		return nil
	})
	return out, err
}

// Operation returns one operation with its timeline, or journal.ErrNotFound.
func (e *Engine) Operation(ctx context.Context, id string) (journal.Operation, error) {
	var op journal.Operation
	err := e.withJournal(func(j journal.Journal) (err error) {
		if j == nil {
			return journal.ErrNotFound
		}
		op, err = j.Operation(ctx, id)
		return err
	})
	return op, err
}
