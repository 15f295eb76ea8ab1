package healthwait

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// failing fails its first n rounds, then passes.
func failing(n int) Check {
	round := 0
	return func(context.Context) (bool, string, error) {
		round++
		if round <= n {
			return false, fmt.Sprintf("status 503 (round %d)", round), nil
		}
		return true, "", nil
	}
}

func TestUntil(t *testing.T) {
	boom := errors.New("no checks for the service")
	for _, tc := range []struct {
		name       string
		timeout    time.Duration
		check      Check
		wantRounds int
		wantFails  int
		wantErr    string
	}{
		{"passes at once", time.Second, failing(0), 1, 0, ""},
		{"passes on the third round", time.Second, failing(2), 3, 2, ""},
		{"zero timeout is the default, not none", 0, failing(2), 3, 2, ""},
		{"times out with the last reason", 30 * time.Millisecond, failing(1 << 20), -1, -1, "not healthy after 30ms: status 503 (round "},
		{"a check error ends the wait", time.Second, func(context.Context) (bool, string, error) { return false, "", boom }, 1, 0, boom.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fails := 0
			rounds, err := Until(context.Background(), tc.timeout, time.Millisecond, tc.check, func(int, string) { fails++ })
			if tc.wantErr == "" {
				if err != nil || rounds != tc.wantRounds || fails != tc.wantFails {
					t.Fatalf("rounds %d, failed rounds %d, err %v; want %d, %d, nil", rounds, fails, err, tc.wantRounds, tc.wantFails)
				}
				return
			}
			if err == nil || len(err.Error()) < len(tc.wantErr) || err.Error()[:len(tc.wantErr)] != tc.wantErr {
				t.Fatalf("err %v, want one starting %q", err, tc.wantErr)
			}
			if tc.wantRounds >= 0 && rounds != tc.wantRounds {
				t.Errorf("rounds %d, want %d", rounds, tc.wantRounds)
			}
		})
	}
}

// A wait stopped from above says why, and is never NotHealthy (which
// would send a failover on to the next target).
func TestUntilStoppedFromAbove(t *testing.T) {
	why := errors.New("lost the leadership")
	ctx, cancel := context.WithCancelCause(context.Background())
	check := func(context.Context) (bool, string, error) { return false, "status 503", nil }
	_, err := Until(ctx, time.Minute, time.Millisecond, check, func(round int, _ string) {
		if round == 2 {
			cancel(why)
		}
	})
	var nh *NotHealthy
	if !errors.Is(err, why) || errors.As(err, &nh) {
		t.Fatalf("err %v, want the cause %v", err, why)
	}
}
