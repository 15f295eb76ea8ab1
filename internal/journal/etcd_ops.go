package journal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// snapshot reads keys at one revision, in one round trip.
func (e *Etcd) snapshot(ctx context.Context, keys ...string) ([][]*mvccpb.KeyValue, int64, error) {
	ops := make([]clientv3.Op, len(keys))
	for i, k := range keys {
		ops[i] = clientv3.OpGet(k)
	}
	resp, err := e.cli.Txn(ctx).Then(ops...).Commit()
	if err != nil {
		return nil, 0, err
	}
	out := make([][]*mvccpb.KeyValue, len(keys))
	for i, r := range resp.Responses {
		out[i] = r.GetResponseRange().Kvs
	}
	return out, resp.Header.Revision, nil
}

// unfinishedIDs decodes the index of unfinished operations.
func (e *Etcd) unfinishedIDs(kvs []*mvccpb.KeyValue) ([]string, int64, error) {
	if len(kvs) == 0 {
		return nil, 0, nil
	}
	var ids []string
	if err := decodeJSON(e.key(keyMetaUnfinished), kvs[0].Value, &ids); err != nil {
		return nil, 0, err
	}
	return ids, kvs[0].ModRevision, nil
}

// loadOp reads one operation, at rev when rev > 0.
func (e *Etcd) loadOp(ctx context.Context, seq uint64, rev int64) (etcdOp, int64, error) {
	var opts []clientv3.OpOption
	if rev > 0 {
		opts = append(opts, clientv3.WithRev(rev))
	}
	key := e.opKey(seq)
	resp, err := e.cli.Get(ctx, key, opts...)
	if err != nil {
		return etcdOp{}, 0, err
	}
	if len(resp.Kvs) == 0 {
		return etcdOp{}, 0, fmt.Errorf("%w: %s", ErrNotFound, formatID(seq))
	}
	var d etcdOp
	if err := decodeJSON(key, resp.Kvs[0].Value, &d); err != nil {
		return etcdOp{}, 0, err
	}
	return d, resp.Kvs[0].ModRevision, nil
}

// unfinishedAt returns the unfinished operations as of rev, oldest first.
func (e *Etcd) unfinishedAt(ctx context.Context, ids []string, rev int64) ([]Operation, error) {
	var out []Operation
	for _, id := range ids {
		seq, err := etcdSeq(id)
		if err != nil {
			return nil, corruptKey(e.key(keyMetaUnfinished), fmt.Errorf("it lists %q, not an operation ID", id))
		}
		d, _, err := e.loadOp(ctx, seq, rev)
		if err != nil {
			return nil, fmt.Errorf("unfinished operation %s: %w", id, err)
		}
		out = append(out, d.operation(seq))
	}
	slices.SortFunc(out, func(a, b Operation) int {
		x, _ := etcdSeq(a.ID)
		y, _ := etcdSeq(b.ID)
		return compareU64(x, y)
	})
	return out, nil
}

func compareU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Begin implements Journal.
func (e *Etcd) Begin(ctx context.Context, op Operation) (Operation, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	if err := validateBegin(op); err != nil {
		return Operation{}, err
	}
	out, err := e.begin(ctx, op)
	if err != nil {
		return Operation{}, fmt.Errorf("begin %s: %w", op.Kind, err)
	}
	return out, nil
}

func (e *Etcd) begin(ctx context.Context, op Operation) (Operation, error) {
	if err := e.ready(ctx, true); err != nil {
		return Operation{}, err
	}
	seqKey, fenceKey, unfKey := e.key(keyMetaSeq), e.key(keyMetaFence), e.key(keyMetaUnfinished)
	for range maxTxnRetries {
		kvs, rev, err := e.snapshot(ctx, seqKey, fenceKey, unfKey)
		if err != nil {
			return Operation{}, err
		}
		seq, seqRev, err := counter(seqKey, kvs[0])
		if err != nil {
			return Operation{}, err
		}
		fence, fenceRev, err := counter(fenceKey, kvs[1])
		if err != nil {
			return Operation{}, err
		}
		ids, unfRev, err := e.unfinishedIDs(kvs[2])
		if err != nil {
			return Operation{}, err
		}
		running, err := e.unfinishedAt(ctx, ids, rev)
		if err != nil {
			return Operation{}, err
		}
		for _, r := range running {
			if r.Overlaps(op) {
				return Operation{}, errRunning(r)
			}
		}
		seq, fence = seq+1, fence+1
		d := etcdOp{opRecord: opRecord{
			Kind: op.Kind, Service: op.Service, Services: op.Services, From: op.From, To: op.To, Plan: op.Plan, Owner: op.Owner,
			Status: StatusRunning, Fence: fence, Started: op.Started,
		}}
		id := formatID(seq)
		ok, err := e.commit(ctx, []clientv3.Cmp{
			clientv3.Compare(clientv3.ModRevision(seqKey), "=", seqRev),
			clientv3.Compare(clientv3.ModRevision(fenceKey), "=", fenceRev),
			clientv3.Compare(clientv3.ModRevision(unfKey), "=", unfRev),
			clientv3.Compare(clientv3.CreateRevision(e.opKey(seq)), "=", 0),
		},
			clientv3.OpPut(seqKey, strconv.FormatUint(seq, 10)),
			clientv3.OpPut(fenceKey, strconv.FormatUint(fence, 10)),
			clientv3.OpPut(e.opKey(seq), mustJSON(d)),
			clientv3.OpPut(unfKey, mustJSON(append(ids, id))),
		)
		if err != nil {
			return Operation{}, err
		}
		if ok {
			return d.operation(seq), nil
		}
		e.log.Debug("journal: begin lost a race, reading again")
	}
	return Operation{}, ErrContention
}

// Unfinished implements Journal.
func (e *Etcd) Unfinished(ctx context.Context) (*Operation, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	all, err := e.UnfinishedAll(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// UnfinishedAll implements Journal.
func (e *Etcd) UnfinishedAll(ctx context.Context) ([]Operation, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	out, err := func() ([]Operation, error) {
		if err := e.ready(ctx, false); err != nil {
			return nil, err
		}
		kvs, rev, err := e.snapshot(ctx, e.key(keyMetaUnfinished))
		if err != nil {
			return nil, err
		}
		ids, _, err := e.unfinishedIDs(kvs[0])
		if err != nil {
			return nil, err
		}
		return e.unfinishedAt(ctx, ids, rev)
	}()
	if err != nil {
		return nil, fmt.Errorf("unfinished operations: %w", err)
	}
	return out, nil
}

// Resume implements Journal.
func (e *Etcd) Resume(ctx context.Context, id string, at time.Time) (Operation, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	out, err := e.resume(ctx, id, at)
	if err != nil {
		return Operation{}, fmt.Errorf("resume %s: %w", id, err)
	}
	return out, nil
}

func (e *Etcd) resume(ctx context.Context, id string, at time.Time) (Operation, error) {
	if err := e.ready(ctx, true); err != nil {
		return Operation{}, err
	}
	seq, err := etcdSeq(id)
	if err != nil {
		return Operation{}, err
	}
	fenceKey, opKey := e.key(keyMetaFence), e.opKey(seq)
	for range maxTxnRetries {
		kvs, _, err := e.snapshot(ctx, fenceKey, opKey)
		if err != nil {
			return Operation{}, err
		}
		fence, fenceRev, err := counter(fenceKey, kvs[0])
		if err != nil {
			return Operation{}, err
		}
		if len(kvs[1]) == 0 {
			return Operation{}, ErrNotFound
		}
		var d etcdOp
		if err := decodeJSON(opKey, kvs[1][0].Value, &d); err != nil {
			return Operation{}, err
		}
		if d.Status.Terminal() {
			return Operation{}, ErrFinished
		}
		d.Fence = fence + 1
		d.Resumed = append(d.Resumed, at)
		d.interrupt()
		ok, err := e.commit(ctx, []clientv3.Cmp{
			clientv3.Compare(clientv3.ModRevision(fenceKey), "=", fenceRev),
			clientv3.Compare(clientv3.ModRevision(opKey), "=", kvs[1][0].ModRevision),
		},
			clientv3.OpPut(fenceKey, strconv.FormatUint(d.Fence, 10)),
			clientv3.OpPut(opKey, mustJSON(d)),
		)
		if err != nil {
			return Operation{}, err
		}
		if ok {
			return d.operation(seq), nil
		}
		e.log.Debug("journal: resume lost a race, reading again", "op", id)
	}
	return Operation{}, ErrContention
}

// fencedWrite is what a write holding a Ref does to the operation: change
// d (rewrite reports whether it did) and add operations and compares of
// its own to the transaction.
type fencedWrite func(ctx context.Context, d *etcdOp, rev int64) (rewrite bool, cmps []clientv3.Cmp, ops []clientv3.Op, err error)

// fenced runs fn in one transaction that goes through only if the
// operation is unchanged since it was read, so a writer replaced by
// Resume meanwhile reads again and gets ErrFenced, having written nothing.
func (e *Etcd) fenced(ctx context.Context, ref Ref, fn fencedWrite) error {
	if err := e.ready(ctx, true); err != nil {
		return err
	}
	seq, err := etcdSeq(ref.ID)
	if err != nil {
		return err
	}
	key := e.opKey(seq)
	for range maxTxnRetries {
		d, opRev, err := e.loadOp(ctx, seq, 0)
		if err != nil {
			return err
		}
		if err := checkFence(ref, d.Fence, d.Status); err != nil {
			return err
		}
		rewrite, cmps, ops, err := fn(ctx, &d, opRev)
		if err != nil {
			return err
		}
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(key), "=", opRev))
		if rewrite {
			ops = append(ops, clientv3.OpPut(key, mustJSON(d)))
		}
		ok, err := e.commit(ctx, cmps, ops...)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		e.log.Debug("journal: a write lost a race, reading again", "op", ref.ID)
	}
	return ErrContention
}

// StepStarted implements Journal.
func (e *Etcd) StepStarted(ctx context.Context, ref Ref, stepID string, at time.Time) error {
	ctx, cancel := bound(ctx)
	defer cancel()
	if err := validateStepStarted(stepID, at); err != nil {
		return err
	}
	err := e.fenced(ctx, ref, func(_ context.Context, d *etcdOp, _ int64) (bool, []clientv3.Cmp, []clientv3.Op, error) {
		attempts := 0
		for i := range d.Steps {
			if d.Steps[i].ID != stepID {
				continue
			}
			attempts++
			// A start without a result for the previous attempt: that
			// attempt will never report.
			if d.Steps[i].Status == StepRunning {
				d.Steps[i].Status = StepInterrupted
			}
		}
		d.Steps = append(d.Steps, stepRecord{ID: stepID, Attempt: attempts + 1, Status: StepRunning, Started: at})
		return true, nil, nil, nil
	})
	if err != nil {
		return fmt.Errorf("step %s started (operation %s): %w", stepID, ref.ID, err)
	}
	return nil
}

// StepFinished implements Journal.
func (e *Etcd) StepFinished(ctx context.Context, ref Ref, stepID string, res StepResult) error {
	ctx, cancel := bound(ctx)
	defer cancel()
	if err := validateStepFinished(stepID, res); err != nil {
		return err
	}
	err := e.fenced(ctx, ref, func(_ context.Context, d *etcdOp, _ int64) (bool, []clientv3.Cmp, []clientv3.Op, error) {
		last, attempts := -1, 0
		for i := len(d.Steps) - 1; i >= 0; i-- {
			if d.Steps[i].ID == stepID {
				if last < 0 {
					last = i
				}
				attempts++
			}
		}
		if last >= 0 && d.Steps[last].Status == StepRunning {
			s := &d.Steps[last]
			s.Status, s.Finished, s.Error, s.Outputs = res.Status, res.At, res.Error, res.Outputs
			return true, nil, nil, nil
		}
		d.Steps = append(d.Steps, stepRecord{
			ID: stepID, Attempt: attempts + 1, Status: res.Status,
			Started: res.At, Finished: res.At, Error: res.Error, Outputs: res.Outputs,
		})
		return true, nil, nil, nil
	})
	if err != nil {
		return fmt.Errorf("step %s finished (operation %s): %w", stepID, ref.ID, err)
	}
	return nil
}

// Finish implements Journal.
func (e *Etcd) Finish(ctx context.Context, ref Ref, status Status, summary string, at time.Time) error {
	ctx, cancel := bound(ctx)
	defer cancel()
	if err := validateFinish(status, at); err != nil {
		return err
	}
	unfKey := e.key(keyMetaUnfinished)
	err := e.fenced(ctx, ref, func(ctx context.Context, d *etcdOp, rev int64) (bool, []clientv3.Cmp, []clientv3.Op, error) {
		d.interrupt()
		d.Status, d.Summary, d.Finished = status, summary, at
		kvs, _, err := e.snapshot(ctx, unfKey)
		if err != nil {
			return false, nil, nil, err
		}
		ids, unfRev, err := e.unfinishedIDs(kvs[0])
		if err != nil {
			return false, nil, nil, err
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == ref.ID })
		cmps := []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(unfKey), "=", unfRev)}
		return true, cmps, []clientv3.Op{clientv3.OpPut(unfKey, mustJSON(ids))}, nil
	})
	if err != nil {
		return fmt.Errorf("finish operation %s: %w", ref.ID, err)
	}
	return nil
}

// SetPlacement implements Journal.
func (e *Etcd) SetPlacement(ctx context.Context, ref Ref, service, provider string, at time.Time) error {
	ctx, cancel := bound(ctx)
	defer cancel()
	if err := validatePlacement(service, provider, at); err != nil {
		return err
	}
	err := e.fenced(ctx, ref, func(context.Context, *etcdOp, int64) (bool, []clientv3.Cmp, []clientv3.Op, error) {
		p := placementRecord{Provider: provider, OpID: ref.ID, Since: at}
		return false, nil, []clientv3.Op{clientv3.OpPut(e.key(dirPlacement+service), mustJSON(p))}, nil
	})
	if err != nil {
		return fmt.Errorf("set placement of %s: %w", service, err)
	}
	return nil
}

// Placement implements Journal.
func (e *Etcd) Placement(ctx context.Context) (map[string]Placement, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	out := map[string]Placement{}
	err := func() error {
		if err := e.ready(ctx, false); err != nil {
			return err
		}
		dir := e.key(dirPlacement)
		resp, err := e.cli.Get(ctx, dir, clientv3.WithPrefix())
		if err != nil {
			return err
		}
		for _, kv := range resp.Kvs {
			var p placementRecord
			if err := decodeJSON(string(kv.Key), kv.Value, &p); err != nil {
				return err
			}
			svc := string(kv.Key[len(dir):])
			out[svc] = Placement{Service: svc, Provider: p.Provider, OpID: p.OpID, Since: p.Since}
		}
		return nil
	}()
	if err != nil {
		return nil, fmt.Errorf("placement: %w", err)
	}
	return out, nil
}

// Operation implements Journal.
func (e *Etcd) Operation(ctx context.Context, id string) (Operation, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	out, err := func() (Operation, error) {
		if err := e.ready(ctx, false); err != nil {
			return Operation{}, err
		}
		seq, err := etcdSeq(id)
		if err != nil {
			return Operation{}, err
		}
		d, _, err := e.loadOp(ctx, seq, 0)
		if err != nil {
			return Operation{}, err
		}
		return d.operation(seq), nil
	}()
	if err != nil {
		return Operation{}, fmt.Errorf("operation %s: %w", id, err)
	}
	return out, nil
}

// Operations implements Journal.
func (e *Etcd) Operations(ctx context.Context, limit int) ([]Operation, error) {
	ctx, cancel := bound(ctx)
	defer cancel()
	var out []Operation
	err := func() error {
		if err := e.ready(ctx, false); err != nil {
			return err
		}
		dir := e.key(dirOps)
		opts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend)}
		if limit > 0 {
			opts = append(opts, clientv3.WithLimit(int64(limit)))
		}
		resp, err := e.cli.Get(ctx, dir, opts...)
		if err != nil {
			return err
		}
		for _, kv := range resp.Kvs {
			seq, err := strconv.ParseUint(string(kv.Key[len(dir):]), 10, 64)
			if err != nil || seq == 0 {
				return corruptKey(string(kv.Key), fmt.Errorf("not an operation key"))
			}
			var d etcdOp
			if err := decodeJSON(string(kv.Key), kv.Value, &d); err != nil {
				return err
			}
			out = append(out, d.operation(seq))
		}
		return nil
	}()
	if err != nil {
		return nil, fmt.Errorf("list operations: %w", err)
	}
	return out, nil
}
