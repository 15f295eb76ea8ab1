package journal_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// One embedded etcd serves every test of the package that does not need
// a server of its own; each test works under a fresh prefix.
var (
	sharedOnce sync.Once
	sharedURL  string
	sharedErr  error
	sharedSrv  *embed.Etcd
	sharedDir  string
	prefixes   atomic.Uint64
)

// etcdEndpoint returns the shared server's client URL, starting it on
// first use. TestMain stops it and removes its data directory.
func etcdEndpoint(t *testing.T) string {
	t.Helper()
	sharedOnce.Do(func() {
		sharedErr = errors.New("the first start did not finish") // if a Fatal cuts it short
		dir, err := os.MkdirTemp("", "lifeboat-etcd-")
		if err != nil {
			sharedErr = err
			return
		}
		sharedDir = dir
		sharedSrv, sharedErr = startEtcd(t, dir)
		if sharedErr == nil {
			sharedURL = "http://" + sharedSrv.Clients[0].Addr().String()
		}
	})
	if sharedErr != nil {
		t.Fatalf("embedded etcd: %v", sharedErr)
	}
	return sharedURL
}

// freshPrefix keeps one test's keys away from every other's.
func freshPrefix(t *testing.T) string {
	return fmt.Sprintf("/lifeboat-test/%d-%d/", os.Getpid(), prefixes.Add(1))
}

// startEtcd starts a single-node etcd on loopback with its data in dir,
// quiet, and waits (bounded) until it serves.
func startEtcd(t *testing.T, dir string) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	client := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", testharness.FreePort(t, "127.0.0.1"))}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case <-time.After(20 * time.Second):
		e.Close()
		return nil, fmt.Errorf("not ready within 20s")
	}
}

// rawClient is a plain client on the shared server, to look at or damage
// keys behind the journal's back.
func rawClient(t *testing.T, endpoint string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// stopSharedEtcd stops the shared server, if one was started, and removes
// its data.
func stopSharedEtcd() {
	if sharedSrv != nil {
		sharedSrv.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}
