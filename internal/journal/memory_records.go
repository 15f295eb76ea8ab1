package journal

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// memLog is Memory's event log.
type memLog struct {
	seq    uint64
	max    int                     // records kept of each kind
	byKind map[RecordKind][]Record // oldest first
}

// Append implements Journal.
func (m *Memory) Append(ctx context.Context, r Record) (Record, error) {
	r, err := validateRecord(r)
	if err != nil {
		return Record{}, err
	}
	err = m.with(ctx, func(d *memData) error {
		l := &d.log
		l.seq++
		r.Seq = l.seq
		kept := append(l.byKind[r.Kind], cloneRecord(r))
		if over := len(kept) - l.max; over > 0 {
			// Slicing off the head is O(1); append copies only the
			// kept records when it outgrows the array, so the array
			// stays a small multiple of the bound.
			kept = kept[over:]
		}
		l.byKind[r.Kind] = kept
		return nil
	})
	if err != nil {
		return Record{}, fmt.Errorf("append %s record: %w", r.Kind, err)
	}
	return cloneRecord(r), nil
}

// Records implements Journal.
func (m *Memory) Records(ctx context.Context, kind RecordKind, limit int) ([]Record, error) {
	var out []Record
	err := m.with(ctx, func(d *memData) error {
		var all []Record
		if kind == "" {
			for _, rs := range d.log.byKind {
				all = append(all, rs...)
			}
		} else {
			all = slices.Clone(d.log.byKind[kind])
		}
		slices.SortFunc(all, func(a, b Record) int { return cmp.Compare(b.Seq, a.Seq) })
		if limit > 0 && len(all) > limit {
			all = all[:limit]
		}
		for _, r := range all {
			out = append(out, cloneRecord(r))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return out, nil
}

func cloneRecord(r Record) Record {
	r.Data = slices.Clone(r.Data)
	return r
}
