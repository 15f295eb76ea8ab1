//go:build !unix

package planner_test

import (
	"testing"
	"time"
)

// cpuTime falls back to wall time where getrusage is not available.
func cpuTime(*testing.B) time.Duration { return time.Duration(time.Now().UnixNano()) }
