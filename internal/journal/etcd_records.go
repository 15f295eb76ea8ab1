package journal

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The event log's layout under the prefix:
//
//	records/seq                last Seq handed out
//	records/all/<seq>          logRecord JSON
//	records/kind/<kind>/<seq>  the same JSON, so one kind lists without the others
//
// <seq> is 20 digits so key order is Seq order; <kind> is path-escaped so
// one kind's keys never fall under another's. Every Append compares
// records/seq's revision, so appends are serialized and Seq only grows.
const (
	keyRecordSeq   = "records/seq"
	dirRecordsAll  = "records/all/"
	dirRecordsKind = "records/kind/"
)

// maxPrunePerAppend bounds the deletions in one Append's transaction (etcd
// caps the operations of a transaction, 128 by default). Only a bound
// lowered by far needs more; later appends finish the job.
const maxPrunePerAppend = 50

func (e *Etcd) kindDir(kind RecordKind) string {
	return e.key(dirRecordsKind + url.PathEscape(string(kind)) + "/")
}

func seqSuffix(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// Append implements Journal.
func (e *Etcd) Append(ctx context.Context, r Record) (Record, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	r, err := validateRecord(r)
	if err != nil {
		return Record{}, err
	}
	seq, err := e.append(ctx, r)
	if err != nil {
		return Record{}, fmt.Errorf("append %s record: %w", r.Kind, err)
	}
	r.Seq = seq
	return r, nil
}

func (e *Etcd) append(ctx context.Context, r Record) (uint64, error) {
	if err := e.ready(ctx, true); err != nil {
		return 0, err
	}
	data, err := encodeRecord(r)
	if err != nil {
		return 0, err
	}
	seqKey, kindDir := e.key(keyRecordSeq), e.kindDir(r.Kind)
	for range maxTxnRetries {
		resp, err := e.cli.Txn(ctx).Then(
			clientv3.OpGet(seqKey),
			clientv3.OpGet(kindDir, clientv3.WithPrefix(), clientv3.WithCountOnly()),
		).Commit()
		if err != nil {
			return 0, err
		}
		last, seqRev, err := counter(seqKey, resp.Responses[0].GetResponseRange().Kvs)
		if err != nil {
			return 0, err
		}
		held := resp.Responses[1].GetResponseRange().Count
		seq := last + 1
		ops := []clientv3.Op{
			clientv3.OpPut(seqKey, strconv.FormatUint(seq, 10)),
			clientv3.OpPut(e.key(dirRecordsAll+seqSuffix(seq)), string(data)),
			clientv3.OpPut(kindDir+seqSuffix(seq), string(data)),
		}
		if excess := held + 1 - int64(e.maxRecords); excess > 0 {
			old, err := e.cli.Get(ctx, kindDir, clientv3.WithPrefix(), clientv3.WithKeysOnly(),
				clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend),
				clientv3.WithLimit(min(excess, maxPrunePerAppend)), clientv3.WithRev(resp.Header.Revision))
			if err != nil {
				return 0, err
			}
			for _, kv := range old.Kvs {
				suffix := string(kv.Key[len(kindDir):])
				ops = append(ops, clientv3.OpDelete(string(kv.Key)), clientv3.OpDelete(e.key(dirRecordsAll+suffix)))
			}
		}
		// Every write to the log changes records/seq, so this compare
		// also covers the count and the oldest keys read above.
		ok, err := e.commit(ctx, []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(seqKey), "=", seqRev)}, ops...)
		if err != nil {
			return 0, err
		}
		if ok {
			return seq, nil
		}
		e.log.Debug("journal: append lost a race, reading again", "kind", r.Kind)
	}
	return 0, ErrContention
}

// Records implements Journal.
func (e *Etcd) Records(ctx context.Context, kind RecordKind, limit int) ([]Record, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	out, err := e.records(ctx, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return out, nil
}

func (e *Etcd) records(ctx context.Context, kind RecordKind, limit int) ([]Record, error) {
	if err := e.ready(ctx, false); err != nil {
		return nil, err
	}
	dir := e.key(dirRecordsAll)
	if kind != "" {
		dir = e.kindDir(kind)
	}
	opts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend)}
	if limit > 0 {
		opts = append(opts, clientv3.WithLimit(int64(limit)))
	}
	resp, err := e.cli.Get(ctx, dir, opts...)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, kv := range resp.Kvs {
		key := string(kv.Key)
		seq, err := strconv.ParseUint(key[len(dir):], 10, 64)
		if err != nil || seq == 0 {
			return nil, corruptKey(key, fmt.Errorf("not a record key"))
		}
		var lr logRecord
		if err := decodeJSON(key, kv.Value, &lr); err != nil {
			return nil, err
		}
		if kind != "" && lr.Kind != kind {
			return nil, corruptKey(key, fmt.Errorf("a record of kind %s is kept as %s", lr.Kind, kind))
		}
		out = append(out, Record{Seq: seq, Kind: lr.Kind, At: lr.At, Service: lr.Service, OpID: lr.OpID, Summary: lr.Summary, Data: lr.Data})
	}
	return out, nil
}
