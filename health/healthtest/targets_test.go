package healthtest

import (
	"os"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func TestMain(m *testing.M) {
	ServeIfChild()
	os.Exit(m.Run())
}

func TestStartServesEveryTarget(t *testing.T) {
	targets, err := Start(3, "-test.run=^$")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, addr := range targets.Addrs {
		if seen[addr] {
			t.Fatalf("address %s given twice", addr)
		}
		seen[addr] = true
		code, body, err := testharness.HTTPGet("http://" + addr + "/any/path")
		if err != nil || code != 200 || body != "ok" {
			t.Fatalf("%s: %d %q %v", addr, code, body, err)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("%d targets, want 3", len(seen))
	}
	if err := targets.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}
