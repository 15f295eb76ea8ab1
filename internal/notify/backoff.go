package notify

import (
	"math/rand/v2"
	"time"
)

// Retry pauses: exponential from a base, with jitter so that many
// lifeboats retrying one receiver do not arrive together.
const (
	defaultBackoff = 500 * time.Millisecond
	backoffCap     = 30 * time.Second
)

// backoff is the pause after failed attempt n (0 for the first): half of
// base·2ⁿ plus a random part of the other half, at most the cap. A
// receiver's Retry-After replaces it, up to the cap.
func backoff(base time.Duration, n int, after time.Duration) time.Duration {
	if after > 0 {
		return min(after, backoffCap)
	}
	d := base
	for i := 0; i < n && d < backoffCap; i++ {
		d *= 2
	}
	d = min(d, backoffCap)
	return d/2 + rand.N(d/2+1)
}
