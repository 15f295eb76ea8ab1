package dnswriter

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetry(t *testing.T) {
	r := Retry{Attempts: 4, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	boom := errors.New("boom")

	calls := 0
	err := r.Do(context.Background(), func(context.Context) (bool, error) {
		calls++
		return true, boom
	})
	if calls != 4 || !errors.Is(err, boom) {
		t.Errorf("always failing: %d calls, err %v; want 4 calls and boom", calls, err)
	}

	calls = 0
	err = r.Do(context.Background(), func(context.Context) (bool, error) {
		calls++
		return calls < 2, nil
	})
	if calls != 2 || err != nil {
		t.Errorf("succeeding on the second call: %d calls, err %v", calls, err)
	}

	calls = 0
	err = r.Do(context.Background(), func(context.Context) (bool, error) {
		calls++
		return false, ErrNotOwned
	})
	if calls != 1 || !errors.Is(err, ErrNotOwned) {
		t.Errorf("permanent error: %d calls, err %v; want 1 call", calls, err)
	}

	// A cancelled context ends the wait between attempts at once.
	ctx, cancel := context.WithCancel(context.Background())
	slow := Retry{Attempts: 10, InitialBackoff: time.Hour, MaxBackoff: time.Hour}
	start := time.Now()
	err = slow.Do(ctx, func(context.Context) (bool, error) {
		cancel()
		return true, boom
	})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, boom) || time.Since(start) > time.Second {
		t.Errorf("cancelled: err %v after %v", err, time.Since(start))
	}
}
