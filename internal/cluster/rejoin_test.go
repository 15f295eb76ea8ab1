package cluster

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// A node whose session ends (here its lease revoked) after it held it for
// a lease asks for a new one after the short first pause, every time: the
// pause grows only over terms in a row that ended early. A pause that grew with
// every term the node ever held kept a node that lost its lease a few
// times out of the cluster for seconds more each time.
func TestMemberRejoinsPromptlyAfterEachLostSession(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	cli := etcd.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m := New(cli, Options{Node: "a", Prefix: "/t/", Lease: 2 * time.Second})
	go m.Run(ctx)
	waitUntil(t, 10*time.Second, "a connects", func() bool { return m.State().Connected })

	lease := func() clientv3.LeaseID {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.session == nil {
			return clientv3.NoLease
		}
		return m.session.Lease()
	}
	for round := 1; round <= 4; round++ {
		// A session held for a lease counts as joined; one that ends at
		// once (a flapping etcd) keeps the pause growing.
		time.Sleep(2*time.Second + 200*time.Millisecond)
		old := lease()
		if _, err := cli.Revoke(ctx, old); err != nil {
			t.Fatalf("round %d: revoke: %v", round, err)
		}
		waitUntil(t, 10*time.Second, "a says it lost the session", func() bool { return !m.State().Connected })
		lost := time.Now()
		waitUntil(t, 10*time.Second, "a joins again", func() bool { return m.State().Connected && lease() != old })
		// The first pause is at most half a second; the rest is a loaded
		// machine's margin, below the 1.5s a third pause took before.
		if took := time.Since(lost); took > 1400*time.Millisecond {
			t.Errorf("round %d: a joined again %s after it lost its session", round, took)
		}
	}
}
