package testharness

import (
	"testing"
)

func TestEtcdCluster(t *testing.T) {
	c := StartEtcdCluster(t, 3)
	cli := c.Client(t)
	ctx := ctxBound(t)
	if _, err := cli.Put(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	c.StopMember(0)
	// Two of three keep the cluster writable.
	if _, err := cli.Put(ctx, "k", "v2"); err != nil {
		t.Fatalf("put after one member stopped: %v", err)
	}
	resp, err := cli.Get(ctx, "k")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v2" {
		t.Fatalf("get = %v, %v; want v2", resp, err)
	}
}
