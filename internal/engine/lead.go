package engine

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/cluster"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// leadWait bounds how long a command run without a daemon waits to be
// elected when no node leads (a daemon may be campaigning at that moment).
const leadWait = 5 * time.Second

// lead makes sure an operation on an etcd journal runs under a
// leadership, so its writes are fenced like a daemon's: the daemon's
// context carries its own; a command run without a daemon takes the
// leadership for the operation, and is refused, naming the leader, while
// a daemon leads. A local journal needs none.
func (e *Engine) lead(ctx context.Context) (context.Context, func(), error) {
	st := e.Cfg.State.Etcd
	if st == nil {
		return ctx, func() {}, nil
	}
	if _, ok := journal.LeadershipFrom(ctx); ok {
		return ctx, func() {}, nil
	}
	j, err := e.Journal()
	if err != nil {
		return nil, nil, err
	}
	ej, ok := j.(*journal.Etcd)
	if !ok {
		return nil, nil, fmt.Errorf("state.etcd: the journal opened is not etcd")
	}
	opts := cluster.Options{Node: fmt.Sprintf("%s (command, pid %d)", st.Node, os.Getpid()), Prefix: st.Prefix, Lease: st.Lease, Logger: e.Log}
	lctx, release, err := cluster.Acquire(ctx, ej.Client(), opts, leadWait)
	if err != nil {
		return nil, nil, err
	}
	return lctx, release, nil
}
