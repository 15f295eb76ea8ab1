package testharness

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// EtcdCluster is an embedded etcd cluster on loopback, for tests.
type EtcdCluster struct {
	members []*embed.Etcd
	clients []string
	stopped []bool
	mu      sync.Mutex
}

// StartEtcdCluster starts n members (1..5) in this process on 127.0.0.1,
// with their data under t.TempDir(), and waits (bounded) until they serve.
// Cleanup stops every member.
func StartEtcdCluster(t testing.TB, n int) *EtcdCluster {
	t.Helper()
	if n < 1 || n > 5 {
		t.Fatalf("StartEtcdCluster: %d members, want 1 to 5", n)
	}
	dir := t.TempDir()
	c := &EtcdCluster{stopped: make([]bool, n)}
	var peers []string
	cfgs := make([]*embed.Config, n)
	for i := range n {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = filepath.Join(dir, cfg.Name)
		cfg.LogLevel = "error"
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", FreePort(t, "127.0.0.1"))}
		peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", FreePort(t, "127.0.0.1"))}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.ListenMetricsUrls = nil
		cfg.InitialClusterToken = "lifeboat-test"
		peers = append(peers, cfg.Name+"="+peer.String())
		c.clients = append(c.clients, client.String())
		cfgs[i] = cfg
	}
	// Every member must be starting before any can elect a leader.
	errs := make([]error, n)
	c.members = make([]*embed.Etcd, n)
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		cfg.InitialCluster = strings.Join(peers, ",")
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.members[i], errs[i] = embed.StartEtcd(cfg)
		}()
	}
	wg.Wait()
	t.Cleanup(c.stop)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("etcd member %d: %v", i, err)
		}
	}
	for i, m := range c.members {
		select {
		case <-m.Server.ReadyNotify():
		case <-time.After(30 * time.Second):
			t.Fatalf("etcd member %d not ready within 30s", i)
		}
	}
	return c
}

// Endpoints returns the members' client URLs, in member order.
func (c *EtcdCluster) Endpoints() []string { return append([]string(nil), c.clients...) }

// Client returns a client on every endpoint, closed at cleanup.
func (c *EtcdCluster) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.clients, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// StopMember stops member i; the others keep serving while they are a
// majority.
func (c *EtcdCluster) StopMember(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stopped[i] && c.members[i] != nil {
		c.members[i].Close()
		c.stopped[i] = true
	}
}

func (c *EtcdCluster) stop() {
	for i := range c.members {
		c.StopMember(i)
	}
}

// ctxBound keeps test calls to etcd bounded.
func ctxBound(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
