package journal

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// ErrNotLeader: the write or step was refused because the node that asked
// no longer leads (its election key is gone or belongs to a newer term).
// The node must stop: another leader has taken over.
var ErrNotLeader = errors.New("this node is no longer the leader")

// ErrLostLeadership is the cause a leadership's context ends with when
// the term ends under a running operation (the session lost, another node
// elected): whatever step was waiting stops for that reason, not for its
// own timeout. It is an ErrNotLeader.
var ErrLostLeadership = fmt.Errorf("%w: lost the leadership (fenced)", ErrNotLeader)

// Leadership is a leader's fencing token: the etcd key its election holds
// and the revision at which that key was created. A later leader's key
// has another revision, so a compare on it tells the terms apart.
type Leadership struct {
	Key string
	Rev int64
}

type leadershipKey struct{}

// WithLeadership returns ctx carrying l: every write to an etcd journal
// made with it (or a context derived from it) commits only while l's key
// still has l's revision, in the same transaction as the write.
func WithLeadership(ctx context.Context, l Leadership) context.Context {
	return context.WithValue(ctx, leadershipKey{}, l)
}

// LeadershipFrom returns the leadership ctx carries, if any.
func LeadershipFrom(ctx context.Context) (Leadership, bool) {
	l, ok := ctx.Value(leadershipKey{}).(Leadership)
	return l, ok && l.Key != ""
}

// Checker is a journal that can tell, before a side effect, whether the
// writer still holds the operation (and, on etcd, the leadership).
type Checker interface {
	Check(ctx context.Context, ref Ref) error
}

// Check is j.Check when j implements Checker; other journals are held by
// one process at a time and always pass.
func Check(ctx context.Context, j Journal, ref Ref) error {
	if c, ok := j.(Checker); ok {
		return c.Check(ctx, ref)
	}
	return nil
}

// commit runs a transaction that goes through only if cmps hold and, when
// ctx carries a Leadership, that leadership still stands. It reports
// whether it went through; a lost leadership is ErrNotLeader, not a
// retryable race.
func (e *Etcd) commit(ctx context.Context, cmps []clientv3.Cmp, ops ...clientv3.Op) (bool, error) {
	l, led := LeadershipFrom(ctx)
	var orElse []clientv3.Op
	if led {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(l.Key), "=", l.Rev))
		orElse = append(orElse, clientv3.OpGet(l.Key))
	}
	resp, err := e.cli.Txn(ctx).If(cmps...).Then(ops...).Else(orElse...).Commit()
	if err != nil {
		return false, err
	}
	if resp.Succeeded {
		return true, nil
	}
	if led {
		if err := deposed(l, resp.Responses[0].GetResponseRange().Kvs); err != nil {
			e.log.Warn("journal: a write was refused: this node no longer leads", "key", l.Key, "term", l.Rev)
			return false, err
		}
	}
	return false, nil
}

// LeaderChecker is a journal that can tell whether a leadership still
// stands, for a side effect that belongs to no operation (a TTL change,
// the zone sync).
type LeaderChecker interface {
	CheckLeader(ctx context.Context) error
}

// CheckLeader returns ErrNotLeader (wrapped) when ctx carries a leadership
// that has ended at j. Without a leadership in ctx, or for a journal held
// by one process at a time, it passes at once.
func CheckLeader(ctx context.Context, j Journal) error {
	if _, led := LeadershipFrom(ctx); !led {
		return nil
	}
	if c, ok := j.(LeaderChecker); ok {
		return c.CheckLeader(ctx)
	}
	return nil
}

// CheckLeader implements LeaderChecker: it reads the election key.
func (e *Etcd) CheckLeader(ctx context.Context) error {
	l, led := LeadershipFrom(ctx)
	if !led {
		return nil
	}
	// As Check: a leadership that ended also cancels ctx, and the caller
	// is to learn it was deposed, not just cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultEtcdDialTimeout)
	defer cancel()
	if err := e.ready(ctx, true); err != nil {
		return err
	}
	kvs, _, err := e.snapshot(ctx, l.Key)
	if err != nil {
		return fmt.Errorf("check leadership: %w", err)
	}
	return deposed(l, kvs[0])
}

// deposed is ErrNotLeader unless kvs (the election key as read) still is
// l's.
func deposed(l Leadership, kvs []*mvccpb.KeyValue) error {
	if len(kvs) == 1 && kvs[0].CreateRevision == l.Rev {
		return nil
	}
	if len(kvs) == 0 {
		return fmt.Errorf("%w: its term (revision %d) has ended", ErrNotLeader, l.Rev)
	}
	return fmt.Errorf("%w: its term (revision %d) was followed by the term at revision %d", ErrNotLeader, l.Rev, kvs[0].CreateRevision)
}

// Check implements Checker: the operation's fence is still ref's, it is
// not finished, and the leadership in ctx (if any) stands, read at one
// revision. The executor calls it right before a step's side effect.
func (e *Etcd) Check(ctx context.Context, ref Ref) error {
	// A leadership that ended also cancels ctx; the check still reads,
	// so the caller learns it was deposed rather than just cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultEtcdDialTimeout)
	defer cancel()
	if err := e.ready(ctx, true); err != nil {
		return err
	}
	seq, err := etcdSeq(ref.ID)
	if err != nil {
		return err
	}
	keys := []string{e.opKey(seq)}
	l, led := LeadershipFrom(ctx)
	if led {
		keys = append(keys, l.Key)
	}
	kvs, _, err := e.snapshot(ctx, keys...)
	if err != nil {
		return fmt.Errorf("check operation %s: %w", ref.ID, err)
	}
	if led {
		if err := deposed(l, kvs[1]); err != nil {
			return fmt.Errorf("operation %s: %w", ref.ID, err)
		}
	}
	if len(kvs[0]) == 0 {
		return fmt.Errorf("operation %s: %w", ref.ID, ErrNotFound)
	}
	var d etcdOp
	if err := decodeJSON(keys[0], kvs[0][0].Value, &d); err != nil {
		return err
	}
	if err := checkFence(ref, d.Fence, d.Status); err != nil {
		return fmt.Errorf("operation %s: %w", ref.ID, err)
	}
	return nil
}
