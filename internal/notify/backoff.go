package notify

import (
	"time"

	pkgbackoff "github.com/lifeboat-dev/lifeboat/internal/backoff"
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
	return pkgbackoff.Pause(base, backoffCap, n)
}
