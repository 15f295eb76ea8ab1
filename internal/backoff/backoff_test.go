package backoff

import (
	"testing"
	"time"
)

// The pause grows as base·2ⁿ, stays within [half, whole] of it, and never
// passes the limit however many attempts failed.
func TestPause(t *testing.T) {
	base, limit := time.Second, time.Minute
	for n := range 40 {
		want := base << min(n, 6)
		want = min(want, limit)
		for range 50 {
			got := Pause(base, limit, n)
			if got < want/2 || got > want {
				t.Fatalf("attempt %d: pause %s outside [%s, %s]", n, got, want/2, want)
			}
		}
	}
}
