// Package backoff is the project's one retry pause: exponential from a
// base, capped, with jitter so that many retriers do not arrive together.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Pause is the pause after failed attempt n (0 for the first): half of
// base·2ⁿ plus a random part of the other half, at most limit.
func Pause(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 0; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}
