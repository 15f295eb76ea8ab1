package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// A manual plan confirming a failing provider says how long it will take
// before it starts, then each round's reasons, each distinct one once
// with its count.
func TestConfirmRoundsSayWhyAndHowLong(t *testing.T) {
	ip := testharness.LoopbackIP(t)
	hcl := `
provider "hetzner" {
  addresses = ["` + ip + `"]
  check "a" {
    tcp {
      port = 1
    }
  }
  check "b" {
    tcp {
      port = 1
    }
  }
  check "c" {
    tcp {
      port = 1
    }
  }
}
policy {
  interval   = "20ms"
  fail_after = 3
}
`
	path := filepath.Join(t.TempDir(), "lifeboat.hcl")
	if err := os.WriteFile(path, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	e := New(cfg, nil)
	defer e.Close()
	var msgs []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.observe(ctx, Placement{}, observeOptions{Rounds: 1, Confirm: true, Progress: func(ev wire.Event) { msgs = append(msgs, ev.Message) }}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"confirming over up to 2 more rounds (policy.fail_after 3), policy.interval 20ms apart: up to 40ms",
		"round 1 of up to 3: hetzner failing; checking again in 20ms to confirm",
		"  hetzner: connect: connection refused (x3)",
		"round 2 of up to 3: hetzner failing; checking again in 20ms to confirm",
		"  hetzner: connect: connection refused (x3)",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("progress:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

func TestFailureReasonsCounted(t *testing.T) {
	p := &health.ProviderStatus{Reason: "fallback", Results: []health.Result{
		{Reason: "lookup x: no such host"}, {OK: true, Reason: "status 200"},
		{Reason: "status 503"}, {Reason: "lookup x: no such host"}, {Reason: "lookup x: no such host"},
	}}
	if got, want := failureReasons(p), "lookup x: no such host (x3); status 503"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := failureReasons(&health.ProviderStatus{Reason: "3/3 checks failing"}); got != "3/3 checks failing" {
		t.Errorf("no failed result: got %q, want the provider's reason", got)
	}
}
