package notify

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// A receiver using Verify refuses a replayed or post-dated delivery, even
// with a valid signature, and a forged one whatever its timestamp.
func TestVerifyWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"event":"operation.started"}`)
	const secret = "receiver-secret"
	signed := func(at time.Time) (string, string) {
		return Sign(secret, at.Unix(), body), strconv.FormatInt(at.Unix(), 10)
	}
	for _, tc := range []struct {
		name   string
		at     time.Time
		secret string
		window time.Duration
		want   error
	}{
		{"now", now, secret, 0, nil},
		{"4m59s old, default window", now.Add(-4*time.Minute - 59*time.Second), secret, 0, nil},
		{"exactly the window", now.Add(-DefaultVerifyWindow), secret, 0, nil},
		{"5m1s old: a replay", now.Add(-5*time.Minute - time.Second), secret, 0, ErrStaleTimestamp},
		{"an hour old", now.Add(-time.Hour), secret, 0, ErrStaleTimestamp},
		{"5m1s in the future", now.Add(5*time.Minute + time.Second), secret, 0, ErrStaleTimestamp},
		{"1m old, 30s window", now.Add(-time.Minute), secret, 30 * time.Second, ErrStaleTimestamp},
		{"1h old, 2h window", now.Add(-time.Hour), secret, 2 * time.Hour, nil},
		{"forged and stale", now.Add(-time.Hour), "other", 0, ErrBadSignature},
		{"forged and fresh", now, "other", 0, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, ts := signed(tc.at)
			err := verifyAt(now, tc.secret, sig, ts, body, tc.window)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if err := verifyAt(now, secret, Sign(secret, now.Unix(), body), "soon", body, 0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a timestamp that is not a number: %v", err)
	}
	// The exported form uses the clock: a delivery signed now passes, one
	// signed ten minutes ago does not.
	sig, ts := signed(time.Now())
	if err := Verify(secret, sig, ts, body, 0); err != nil {
		t.Fatalf("a fresh delivery: %v", err)
	}
	sig, ts = signed(time.Now().Add(-10 * time.Minute))
	if err := Verify(secret, sig, ts, body, 0); !errors.Is(err, ErrStaleTimestamp) {
		t.Fatalf("a ten-minute-old delivery: %v", err)
	}
}
