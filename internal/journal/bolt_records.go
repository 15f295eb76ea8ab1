package journal

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
)

// The event log's layout (schema 2):
//
//	records/        <seq> → logRecord JSON; the bucket's sequence hands out Seq
//	records_kind/   <kind>/<seq> → 1; each kind bucket's sequence counts its keys
//
// <seq> is 8 bytes big-endian, so cursors walk in Seq order. The index by
// kind lets Append find the oldest record of its kind, and Records list one
// kind, without decoding the others.
var (
	bucketRecords     = []byte("records")
	bucketRecordKinds = []byte("records_kind")
)

// logRecord is a Record as stored; its Seq is the key.
type logRecord struct {
	Kind    RecordKind      `json:"kind"`
	At      time.Time       `json:"at"`
	Service string          `json:"service,omitempty"`
	OpID    string          `json:"op_id,omitempty"`
	Summary string          `json:"summary"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Append implements Journal.
func (b *Bolt) Append(ctx context.Context, r Record) (Record, error) {
	r, err := validateRecord(r)
	if err != nil {
		return Record{}, err
	}
	err = b.update(ctx, func(tx *bbolt.Tx) error {
		recs, kinds, err := recordBuckets(tx)
		if err != nil {
			return err
		}
		seq, err := recs.NextSequence()
		if err != nil {
			return err
		}
		data, err := encodeRecord(r)
		if err != nil {
			return err
		}
		key := u64(seq)
		if err := recs.Put(key, data); err != nil {
			return err
		}
		kb, err := kinds.CreateBucketIfNotExists([]byte(r.Kind))
		if err != nil {
			return err
		}
		if err := kb.Put(key, []byte{1}); err != nil {
			return err
		}
		if err := prune(recs, kb, kb.Sequence()+1, b.maxRecords); err != nil {
			return err
		}
		r.Seq = seq
		return nil
	})
	if err != nil {
		return Record{}, fmt.Errorf("append %s record: %w", r.Kind, err)
	}
	return r, nil
}

// recordBuckets returns the event log's buckets, creating them in a
// journal written before there was a log; that journal then says schema 2,
// so an older lifeboat refuses it as newer rather than as damaged.
func recordBuckets(tx *bbolt.Tx) (recs, kinds *bbolt.Bucket, err error) {
	recs, kinds = tx.Bucket(bucketRecords), tx.Bucket(bucketRecordKinds)
	if recs != nil && kinds != nil {
		return recs, kinds, nil
	}
	if recs, err = tx.CreateBucketIfNotExists(bucketRecords); err != nil {
		return nil, nil, err
	}
	if kinds, err = tx.CreateBucketIfNotExists(bucketRecordKinds); err != nil {
		return nil, nil, err
	}
	if err := tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
		return nil, nil, err
	}
	return recs, kinds, nil
}

// prune deletes the oldest records of kind bucket kb until at most max
// remain, and stores the count left. count is how many it holds now.
func prune(recs, kb *bbolt.Bucket, count uint64, max int) error {
	c := kb.Cursor()
	k, _ := c.First()
	for ; k != nil && count > uint64(max); k, _ = c.First() {
		key := bytes.Clone(k)
		if err := c.Delete(); err != nil {
			return err
		}
		if err := recs.Delete(key); err != nil {
			return err
		}
		count--
	}
	if k == nil {
		count = 0 // it counted keys it does not hold: start again from the truth
	}
	return kb.SetSequence(count)
}

// encodeRecord stores Data's bytes as they are (already compacted):
// json.Marshal would escape <, > and & in them.
func encodeRecord(r Record) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(logRecord{Kind: r.Kind, At: r.At, Service: r.Service, OpID: r.OpID, Summary: r.Summary, Data: r.Data})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// Records implements Journal.
func (b *Bolt) Records(ctx context.Context, kind RecordKind, limit int) ([]Record, error) {
	var out []Record
	err := b.view(ctx, func(tx *bbolt.Tx) error {
		recs := tx.Bucket(bucketRecords)
		if recs == nil {
			return nil // a journal written before there was a log
		}
		full := func() bool { return limit > 0 && len(out) >= limit }
		if kind == "" {
			c := recs.Cursor()
			for k, v := c.Last(); k != nil && !full(); k, v = c.Prev() {
				r, err := decodeRecord(k, v)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
			return nil
		}
		kinds := tx.Bucket(bucketRecordKinds)
		if kinds == nil {
			return damaged("bucket %s is missing", bucketRecordKinds)
		}
		kb := kinds.Bucket([]byte(kind))
		if kb == nil {
			return nil
		}
		c := kb.Cursor()
		for k, _ := c.Last(); k != nil && !full(); k, _ = c.Prev() {
			v := recs.Get(k)
			if v == nil {
				return damaged("record %s of kind %s is indexed but missing", recordKey(k), kind)
			}
			r, err := decodeRecord(k, v)
			if err != nil {
				return err
			}
			if r.Kind != kind {
				return damaged("record %s is indexed as %s but is %s", recordKey(k), kind, r.Kind)
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return out, nil
}

func decodeRecord(k, v []byte) (Record, error) {
	if len(k) != 8 {
		return Record{}, damaged("record key %x is not a sequence number", k)
	}
	var lr logRecord
	if err := json.Unmarshal(v, &lr); err != nil {
		return Record{}, damaged("record %s does not decode: %v", recordKey(k), err)
	}
	return Record{
		Seq: binary.BigEndian.Uint64(k), Kind: lr.Kind, At: lr.At, Service: lr.Service, OpID: lr.OpID,
		Summary: lr.Summary, Data: lr.Data,
	}, nil
}
