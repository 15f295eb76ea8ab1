package testharness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const (
	etcdMaxMembers = 5
	// etcdStartBudget bounds the wait for a leader and a first Put/Get.
	etcdStartBudget = 30 * time.Second
	// etcdStartAttempts bounds the restarts after a picked port was taken
	// by someone else between picking and binding.
	etcdStartAttempts = 3
	etcdReadyKey      = "/testharness/ready"
)

// etcdClusters numbers the clusters of this process so that no two share a
// cluster token (a member never accepts a peer of another cluster).
var etcdClusters atomic.Uint64

// EtcdCluster is an embedded etcd cluster on loopback, for tests.
type EtcdCluster struct {
	clients []string // client URLs, in member order
	log     *etcdLog

	mu      sync.Mutex
	members []*embed.Etcd // nil once stopped
}

// StartEtcdCluster starts n members (1..5) in this process on 127.0.0.1, with
// free ports and their data under t.TempDir(), and waits (at most 30s) until
// the cluster has a leader and answers a Put/Get. The members log at warn
// level to a file in t.TempDir(), not to the test output; its last lines are
// shown when the start fails or the test has failed. Cleanup stops every
// member.
func StartEtcdCluster(t testing.TB, n int) *EtcdCluster {
	t.Helper()
	Real(t, "etcd")
	return startEtcdCluster(t, n, loopbackPorts)
}

// startEtcdCluster is StartEtcdCluster with the port picker as a parameter,
// so a test can hand it a port that is already taken.
func startEtcdCluster(t testing.TB, n int, pickPorts func(k int) ([]int, error)) *EtcdCluster {
	t.Helper()
	if n < 1 || n > etcdMaxMembers {
		t.Fatalf("testharness: StartEtcdCluster: %d members, want 1 to %d", n, etcdMaxMembers)
	}
	dir := t.TempDir()
	log, err := openEtcdLog(filepath.Join(dir, "etcd.log"))
	if err != nil {
		t.Fatalf("testharness: etcd log: %v", err)
	}
	// Registered first so it runs last, after every member has stopped; a
	// failed start fails the test, so its cause is shown here too.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testharness: last lines of the etcd members' log:\n%s", log.tail(30))
		}
		log.Close()
	})
	token := fmt.Sprintf("testharness-%d-%d", os.Getpid(), etcdClusters.Add(1))

	var c *EtcdCluster
	for attempt := 1; ; attempt++ {
		// A fresh data directory per attempt: a member that started in a
		// failed attempt has written its own cluster there.
		c, err = launchEtcd(filepath.Join(dir, fmt.Sprintf("try%d", attempt)), n, token, log, pickPorts)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EADDRINUSE) || attempt == etcdStartAttempts {
			t.Fatalf("testharness: starting %d etcd members (attempt %d): %v", n, attempt, err)
		}
	}
	t.Cleanup(c.stop)

	ctx, cancel := context.WithTimeout(context.Background(), etcdStartBudget)
	defer cancel()
	if err := c.waitServing(ctx); err != nil {
		t.Fatalf("testharness: etcd cluster of %d not serving: %v", n, err)
	}
	return c
}

// launchEtcd configures and starts n members. They start concurrently: a
// member only serves once a majority is up, so none waits on another. On an
// error every member started is stopped again.
func launchEtcd(dir string, n int, token string, log *etcdLog, pickPorts func(k int) ([]int, error)) (*EtcdCluster, error) {
	ports, err := pickPorts(2 * n)
	if err != nil {
		return nil, fmt.Errorf("picking ports: %w", err)
	}
	lg := zap.New(log.core())
	c := &EtcdCluster{log: log, members: make([]*embed.Etcd, n)}
	cfgs := make([]*embed.Config, n)
	peers := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("m%d", i)
		client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[2*i])}
		peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1])}
		cfg := embed.NewConfig()
		cfg.Name = name
		cfg.Dir = filepath.Join(dir, name)
		cfg.LogLevel = "warn"
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg.With(zap.String("member", name)))
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		// Nothing else listens: no metrics or separate HTTP client port.
		cfg.ListenClientHttpUrls, cfg.ListenMetricsUrls = nil, nil
		cfg.InitialClusterToken = token
		// The data is thrown away with the test; fsync only slows a
		// loaded machine down. Tick and election stay at the defaults,
		// which keep the cluster stable when the machine is busy.
		cfg.UnsafeNoFsync = true
		peers[i] = name + "=" + peer.String()
		c.clients = append(c.clients, client.String())
		cfgs[i] = cfg
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		cfg.InitialCluster = strings.Join(peers, ",")
		wg.Go(func() {
			m, err := embed.StartEtcd(cfg)
			if err != nil {
				errs[i] = fmt.Errorf("member %d: %w", i, err)
				return
			}
			c.members[i] = m
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitServing waits until every member is ready and knows a leader, then
// writes, reads back and deletes a key through a client on all endpoints.
func (c *EtcdCluster) waitServing(ctx context.Context) error {
	for i, m := range c.members {
		select {
		case <-m.Server.ReadyNotify():
		case err := <-m.Err():
			return fmt.Errorf("member %d: %w", i, err)
		case <-ctx.Done():
			return fmt.Errorf("member %d not ready: %w", i, ctx.Err())
		}
	}
	if err := c.waitLeader(ctx); err != nil {
		return err
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.clients, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer cli.Close()
	// A put is not retried by the client, and a busy machine can cost the
	// young cluster its leader: retry until the budget is spent.
	var last error
	for range 100 {
		if last = putGetDelete(ctx, cli); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("put/get: %w (after %w)", last, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("put/get: %w", last)
}

// waitLeader polls, every 20ms, until every member knows a leader.
func (c *EtcdCluster) waitLeader(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		missing := -1
		for i, m := range c.members {
			if m.Server.Leader() == 0 {
				missing = i
				break
			}
		}
		if missing < 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("member %d knows no leader: %w", missing, ctx.Err())
		case <-tick.C:
		}
	}
}

func putGetDelete(ctx context.Context, cli *clientv3.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, etcdReadyKey, "ok"); err != nil {
		return err
	}
	resp, err := cli.Get(ctx, etcdReadyKey)
	if err != nil {
		return err
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "ok" {
		return fmt.Errorf("read back %d values, want the one written", len(resp.Kvs))
	}
	// The tests find an empty key space.
	_, err = cli.Delete(ctx, etcdReadyKey)
	return err
}

// Endpoints returns the members' client URLs ("http://127.0.0.1:PORT"), in
// member order.
func (c *EtcdCluster) Endpoints() []string { return append([]string(nil), c.clients...) }

// Client returns a client on every endpoint, closed at cleanup.
func (c *EtcdCluster) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.clients, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("testharness: etcd client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// StopMember stops member i, to test the loss of a member; the others keep
// serving while they are a majority (2 of 3). Stopping a stopped member does
// nothing.
func (c *EtcdCluster) StopMember(i int) {
	if i < 0 || i >= len(c.members) {
		panic(fmt.Sprintf("testharness: StopMember(%d) of a %d-member etcd cluster", i, len(c.members)))
	}
	c.mu.Lock()
	m := c.members[i]
	c.members[i] = nil
	c.mu.Unlock()
	if m != nil {
		m.Close()
	}
}

// stop stops every member still running: the followers at once, then the
// leader. A leader that stops first hands its leadership to a follower, and
// when that follower is stopping too it waits for the request timeout (7s).
func (c *EtcdCluster) stop() {
	leader := -1
	c.mu.Lock()
	for i, m := range c.members {
		if m != nil && m.Server.Leader() == m.Server.MemberID() {
			leader = i
		}
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for i := range c.members {
		if i != leader {
			wg.Go(func() { c.StopMember(i) })
		}
	}
	wg.Wait()
	if leader >= 0 {
		c.StopMember(leader)
	}
}

// loopbackPorts returns k distinct free TCP ports of 127.0.0.1: every
// listener is held until all are picked, so they differ from each other.
// Another process may still take one before the member binds it; the start
// is then retried.
func loopbackPorts(k int) ([]int, error) {
	ports := make([]int, 0, k)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range k {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// etcdLog is the members' shared log file. Writes after Close are dropped:
// a member's last goroutines may still log while the test ends.
type etcdLog struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

func openEtcdLog(path string) (*etcdLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &etcdLog{path: path, f: f}, nil
}

// core writes JSON lines at warn level and above.
func (l *etcdLog) core() zapcore.Core {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zapcore.NewCore(enc, l, zapcore.WarnLevel)
}

func (l *etcdLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return len(p), nil
	}
	return l.f.Write(p)
}

func (l *etcdLog) Sync() error { return nil }

func (l *etcdLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// tail returns the last n lines of the log, for a failure message.
func (l *etcdLog) tail(n int) string {
	data, err := os.ReadFile(l.path)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
