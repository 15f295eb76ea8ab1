package testharness

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

func TestEtcdClusterSurvivesMemberLoss(t *testing.T) {
	began := time.Now()
	c := StartEtcdCluster(t, 3)
	t.Logf("StartEtcdCluster(3) took %v", time.Since(began).Round(time.Millisecond))

	eps := c.Endpoints()
	seen := map[string]bool{}
	for _, ep := range eps {
		if !strings.HasPrefix(ep, "http://127.0.0.1:") || seen[ep] {
			t.Fatalf("endpoints %v: want 3 distinct http://127.0.0.1:PORT", eps)
		}
		seen[ep] = true
	}
	if len(eps) != 3 {
		t.Fatalf("endpoints %v: want 3", eps)
	}

	cli := c.Client(t)
	if err := putGet(t.Context(), cli, "k", "v1"); err != nil {
		t.Fatalf("put/get on the whole cluster: %v", err)
	}

	c.StopMember(0)
	if err := answers(eps[0]); err == nil {
		t.Fatalf("member 0 still answers at %s after StopMember(0)", eps[0])
	}
	// Two of three keep the cluster writable once they agree on a leader
	// (an election takes a few seconds at most); the client's put is not
	// retried by the client itself when it lands on the stopped member.
	lost := time.Now()
	var err error
	for deadline := lost.Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = putGet(t.Context(), cli, "k", "v2"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("put/get within 15s of losing member 0: %v", err)
	}
	t.Logf("put/get after losing member 0 took %v", time.Since(lost).Round(time.Millisecond))

	// The loss is in the members' log file, and nothing below warn.
	data, err := os.ReadFile(c.log.path)
	if err != nil {
		t.Fatalf("members' log: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(data) == 0 {
		t.Fatalf("members' log %s is empty after a member was lost", c.log.path)
	}
	for _, line := range lines {
		var rec struct{ Level string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("members' log line %q: %v", line, err)
		}
		if rec.Level == "debug" || rec.Level == "info" {
			t.Fatalf("members' log has a line below warn: %s", line)
		}
	}
}

// A port taken between picking and binding makes the start retry with
// fresh ports instead of failing.
func TestEtcdClusterRetriesTakenPort(t *testing.T) {
	Real(t, "etcd")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	calls := 0
	pick := func(k int) ([]int, error) {
		calls++
		ports, err := loopbackPorts(k)
		if calls == 1 && err == nil {
			ports[0] = busy.Addr().(*net.TCPAddr).Port
		}
		return ports, err
	}
	c := startEtcdCluster(t, 1, pick)
	if calls != 2 {
		t.Fatalf("ports picked %d times, want 2 (one retry)", calls)
	}
	if err := putGet(t.Context(), c.Client(t), "k", "v"); err != nil {
		t.Fatalf("put/get after the retry: %v", err)
	}
}

// putGet writes key and reads it back, within 3 seconds.
func putGet(ctx context.Context, cli *clientv3.Client, key, value string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, key, value); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != value {
		return fmt.Errorf("get %s = %v, want %q", key, resp.Kvs, value)
	}
	return nil
}

// answers reports whether the member at endpoint serves a read on its own.
func answers(endpoint string) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = cli.Get(ctx, "k", clientv3.WithSerializable())
	return err
}
