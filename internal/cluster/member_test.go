package cluster

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func waitUntil(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two members: the first leads with a leadership its context carries;
// when it leaves, the second leads at once (it resigned, nobody waits
// for the lease), with a newer term; a command cannot take the
// leadership while a member holds it, and is told who does.
func TestMembersElectOneLeader(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	cli := etcd.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := func(node string) Options {
		return Options{Node: node, Advertise: "http://" + node + ".test:9797", Prefix: "/t/", Lease: 2 * time.Second}
	}
	a, b := New(cli, opts("a")), New(cli, opts("b"))
	actx, stopA := context.WithCancel(ctx)
	aDone := make(chan struct{})
	go func() { defer close(aDone); a.Run(actx) }()
	waitUntil(t, 10*time.Second, "a leads", func() bool { return a.State().Leading })
	go b.Run(ctx)
	waitUntil(t, 10*time.Second, "b connects", func() bool { return b.State().Connected })
	time.Sleep(500 * time.Millisecond)
	if b.State().Leading {
		t.Fatal("b leads while a does")
	}
	lctx, ok := a.Leading()
	l, carried := journal.LeadershipFrom(lctx)
	if !ok || !carried || l.Rev != a.State().Term {
		t.Fatalf("a's leading context carries %+v (%v), term %d", l, carried, a.State().Term)
	}
	if p, ok, err := b.Leader(ctx); err != nil || !ok || p.Node != "a" || p.Advertise != "http://a.test:9797" {
		t.Fatalf("b sees leader %+v %v %v, want a", p, ok, err)
	}

	_, _, err := Acquire(ctx, cli, opts("cmd"), 300*time.Millisecond)
	if !errors.Is(err, ErrNoLeadership) || !strings.Contains(err.Error(), "node a leads") {
		t.Fatalf("Acquire while a leads: %v", err)
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.Publish(ctx, ViewOf("a", "", health.Snapshot{Providers: []health.ProviderStatus{{Name: "alpha", State: health.StateDown}}}, time.Now())))
	must(b.Publish(ctx, ViewOf("b", "", health.Snapshot{Providers: []health.ProviderStatus{{Name: "alpha", State: health.StateHealthy}}}, time.Now())))
	twin := New(cli, opts("a"))
	tctx, stopTwin := context.WithCancel(ctx)
	defer stopTwin()
	go twin.Run(tctx)
	waitUntil(t, 10*time.Second, "the twin connects", func() bool { return twin.State().Connected })
	if err := twin.Publish(ctx, ViewOf("a", "", health.Snapshot{}, time.Now())); !errors.Is(err, ErrDuplicateNode) {
		t.Fatalf("a second live node named a publishes: %v, want ErrDuplicateNode", err)
	}
	must(a.Publish(ctx, ViewOf("a", "", health.Snapshot{Providers: []health.ProviderStatus{{Name: "alpha", State: health.StateDown}}}, time.Now())))
	stopTwin()
	views, err := b.Views(ctx)
	must(err)
	if len(views) != 2 || views[0].Node != "a" || views[0].Providers[0].State != health.StateDown {
		t.Fatalf("views = %+v", views)
	}

	stopA()
	<-aDone
	// a resigned on its way out: its key is gone now, not once its
	// lease expires.
	if resp, err := cli.Get(ctx, l.Key); err != nil || len(resp.Kvs) != 0 {
		t.Fatalf("a's election key after Run returned: %v, %v; want it gone", resp.Kvs, err)
	}
	waitUntil(t, 10*time.Second, "b leads after a left", func() bool { return b.State().Leading })
	if lctx.Err() == nil {
		t.Error("a's leading context is still live after it left")
	}
	if b.State().Term <= l.Rev {
		t.Errorf("b's term %d is not newer than a's %d", b.State().Term, l.Rev)
	}
	// a's view went with its session.
	views, err = b.Views(ctx)
	must(err)
	if len(views) != 1 || views[0].Node != "b" {
		t.Fatalf("views after a left = %+v, want b's only", views)
	}
}

// A member cut off from etcd ends its term within the lease, says so,
// and holds no leadership.
func TestMemberCutOffStopsLeading(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	cli := etcd.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m := New(cli, Options{Node: "a", Prefix: "/t/", Lease: 2 * time.Second})
	go m.Run(ctx)
	waitUntil(t, 10*time.Second, "a leads", func() bool { return m.State().Leading })
	lctx, _ := m.Leading()
	etcd.StopMember(0)
	began := time.Now()
	waitUntil(t, 10*time.Second, "a stops leading", func() bool { return !m.State().Leading && !m.State().Connected })
	// The watchdog steps down after three quarters of the lease without
	// an answer; a bound of the lease plus a second leaves room for a
	// loaded machine while still failing a node that waits for the
	// client's keepalive (about ten seconds here).
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("a stopped leading %s after etcd went, not within about its lease", took)
	}
	if lctx.Err() == nil {
		t.Error("the leading context is still live")
	}
	if _, ok := m.Leading(); ok {
		t.Error("Leading still says yes")
	}
	if st := m.State(); st.Err == "" {
		t.Error("the state does not say why the node is cut off")
	}
}

// A follower whose etcd freezes (a process stopped, its connections open
// and silent) says it is not connected within about its lease, not once
// etcd answers again: etcd's Campaign, ended, resigns on the client's
// own context, which has no deadline, and the term must not wait on it.
func TestFollowerOnFrozenEtcdSaysSoWithinTheLease(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	cli := etcd.Client(t)
	proxy := testharness.StartFreezeProxy(t, strings.TrimPrefix(etcd.Endpoints()[0], "http://"))
	far, err := clientv3.New(clientv3.Config{Endpoints: []string{"http://" + proxy.Addr()}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := func(node string) Options { return Options{Node: node, Prefix: "/t/", Lease: 2 * time.Second} }
	a, b := New(cli, opts("a")), New(far, opts("b"))
	go a.Run(ctx)
	waitUntil(t, 10*time.Second, "a leads", func() bool { return a.State().Leading })
	go b.Run(ctx)
	waitUntil(t, 10*time.Second, "b follows", func() bool { return b.State().Connected })
	time.Sleep(500 * time.Millisecond) // b is campaigning, waiting behind a

	proxy.Freeze()
	began := time.Now()
	waitUntil(t, 10*time.Second, "b says it is not connected", func() bool { return !b.State().Connected })
	// Three quarters of the lease without an answer, plus a second for a
	// loaded machine.
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("b said it lost etcd %s after etcd froze, not within about its lease", took)
	}
	if st := b.State(); st.Leading || st.Err == "" {
		t.Errorf("b's state on a frozen etcd: %+v", st)
	}
	if !a.State().Leading {
		t.Error("a, which etcd still answers, stopped leading")
	}

	proxy.Thaw()
	waitUntil(t, 20*time.Second, "b follows again once etcd answers", func() bool { return b.State().Connected })
	if b.State().Leading {
		t.Error("b leads while a does")
	}
}

// With two of three etcd members gone, etcd has no majority: the leader
// and the follower both say they are not connected within about the
// lease (the report saw 11s with a lease of 2s).
func TestMembersOnAnEtcdWithoutMajority(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 3)
	cli := etcd.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := func(node string) Options { return Options{Node: node, Prefix: "/t/", Lease: 2 * time.Second} }
	a, b := New(cli, opts("a")), New(cli, opts("b"))
	go a.Run(ctx)
	waitUntil(t, 10*time.Second, "a leads", func() bool { return a.State().Leading })
	go b.Run(ctx)
	waitUntil(t, 10*time.Second, "b follows", func() bool { return b.State().Connected })
	time.Sleep(500 * time.Millisecond)

	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { etcd.StopMember(i) })
	}
	wg.Wait()
	began := time.Now()
	waitUntil(t, 15*time.Second, "a and b say they are not connected", func() bool {
		return !a.State().Connected && !b.State().Connected
	})
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the nodes said they lost etcd %s after its majority went, not within about their lease", took)
	}
	if a.State().Leading {
		t.Error("a still leads")
	}
}
