package cluster

import (
	"context"
	"testing"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// BenchmarkHandoverAfterCrash measures how long the nodes go without a
// leader when the leader dies without resigning (SIGKILL): its session
// stops renewing, etcd expires the lease, and the waiting member is
// elected. Reported as handover-s; it should be about the lease (2s).
func BenchmarkHandoverAfterCrash(b *testing.B) {
	etcd := testharness.StartEtcdCluster(b, 1)
	cli := etcd.Client(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		prefix := "/bench/" + time.Now().Format("150405.000000000") + "/"
		opts := Options{Node: "b", Prefix: prefix, Lease: 2 * time.Second}
		// The crashing leader: a session of its own that is abandoned
		// without revoking, as a killed process leaves it.
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(opts.ttl()))
		if err != nil {
			b.Fatal(err)
		}
		if err := concurrency.NewElection(s, opts.electionPrefix()).Campaign(ctx, `{"node":"a"}`); err != nil {
			b.Fatal(err)
		}
		m := New(cli, opts)
		mctx, stop := context.WithCancel(ctx)
		go m.Run(mctx)
		for !m.State().Connected {
			time.Sleep(time.Millisecond)
		}
		began := time.Now()
		s.Orphan()
		deadline := began.Add(30 * time.Second)
		for !m.State().Leading {
			if time.Now().After(deadline) {
				b.Fatal("no handover within 30s")
			}
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(began)
		stop()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "handover-s")
}
