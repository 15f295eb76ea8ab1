//go:build !unix

package healthtest

import "time"

// CPUTime is not measured here: zero.
func CPUTime() time.Duration { return 0 }
