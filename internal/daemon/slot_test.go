package daemon

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/control"
)

func TestSlotOneAtATime(t *testing.T) {
	var s slot
	ctx := context.Background()
	_, release, err := s.acquire(ctx, "failover", false)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, rel, err := s.acquire(ctx, "failback", false)
		if err == nil {
			rel()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("a second operation ran alongside the first: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if s.current() != "failover" {
		t.Fatalf("current = %q", s.current())
	}
	// A drill never queues behind an operation.
	if _, _, err := s.acquire(ctx, "drill weekly", true); !errors.Is(err, control.ErrBusy) {
		t.Fatalf("drill while busy: %v, want ErrBusy", err)
	}
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting operation never got the slot")
	}
}

func TestSlotRealOperationPreemptsDrill(t *testing.T) {
	var s slot
	ctx := context.Background()
	dctx, release, err := s.acquire(ctx, "drill weekly", true)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-dctx.Done() // the drill winds down once cancelled
		release()
	}()
	octx, rel, err := s.acquire(ctx, "automatic failover of www", false)
	if err != nil {
		t.Fatal(err)
	}
	defer rel()
	if octx.Err() != nil {
		t.Fatal("the failover's context is already done")
	}
	if cause := context.Cause(dctx); cause == nil || !strings.Contains(cause.Error(), "automatic failover of www") {
		t.Fatalf("the drill's cause does not say what preempted it: %v", cause)
	}
}

func TestSlotAbortDrillOnlyAbortsDrills(t *testing.T) {
	var s slot
	ctx := context.Background()
	octx, release, err := s.acquire(ctx, "manual", false)
	if err != nil {
		t.Fatal(err)
	}
	if s.abortDrill("alpha is down") || octx.Err() != nil {
		t.Fatal("abortDrill cancelled an operation that is not a drill")
	}
	release()
	dctx, release, err := s.acquire(ctx, "drill", true)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if !s.abortDrill("alpha is down") || context.Cause(dctx).Error() != "alpha is down" {
		t.Fatalf("drill not aborted with the reason: %v", context.Cause(dctx))
	}
}

func TestSlotClosedRefusesAndCancels(t *testing.T) {
	var s slot
	ctx := context.Background()
	octx, release, err := s.acquire(ctx, "failover", false)
	if err != nil {
		t.Fatal(err)
	}
	done := s.close(errors.New("SIGTERM"))
	if octx.Err() == nil {
		t.Fatal("closing did not cancel the running operation")
	}
	if _, _, err := s.acquire(ctx, "failback", false); !errors.Is(err, ErrShuttingDown) {
		t.Fatalf("after close: %v, want ErrShuttingDown", err)
	}
	select {
	case <-done:
		t.Fatal("done before the operation returned")
	default:
	}
	release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("done never closed")
	}
}

func TestStripDigitsKeepsTheReason(t *testing.T) {
	a := stripDigits("held back: operation 00000001 began 5s ago, within policy.cooldown 10m0s")
	b := stripDigits("held back: operation 00000001 began 17s ago, within policy.cooldown 10m0s")
	if a != b || !strings.Contains(a, "policy.cooldown") {
		t.Fatalf("%q vs %q", a, b)
	}
}

// The daemon's own retries never wait for the slot nor cancel a drill in
// it: a running drill's operation is unfinished too, and must not be
// taken for one left over.
func TestSlotTryAcquireLeavesADrillAlone(t *testing.T) {
	var s slot
	ctx := context.Background()
	dctx, release, err := s.acquire(ctx, "drill weekly", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.tryAcquire(ctx, "resuming"); ok {
		t.Fatal("took the slot from a running drill")
	}
	if dctx.Err() != nil {
		t.Fatalf("the drill was cancelled: %v", context.Cause(dctx))
	}
	release()
	_, rel, ok := s.tryAcquire(ctx, "resuming")
	if !ok || s.current() != "resuming" {
		t.Fatalf("free slot not taken: ok=%v current=%q", ok, s.current())
	}
	rel()
	s.close(errors.New("stopping"))
	if _, _, ok := s.tryAcquire(ctx, "resuming"); ok {
		t.Fatal("took the slot of a daemon shutting down")
	}
}
