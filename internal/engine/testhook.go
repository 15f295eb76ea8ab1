//go:build lifeboat_testhooks

package engine

import (
	"os"
	"syscall"
)

// testHook lets the crash tests kill the process at an exact step
// boundary: LIFEBOAT_TEST_KILL_AT=STEP:started|finished. LIFEBOAT_TEST_TERM_AT
// sends SIGTERM instead, for the shutdown tests. Both exist only in
// binaries built with the lifeboat_testhooks tag, never in the shipped one.
func testHook() func(step, phase string) {
	kill, term := os.Getenv("LIFEBOAT_TEST_KILL_AT"), os.Getenv("LIFEBOAT_TEST_TERM_AT")
	if kill == "" && term == "" {
		return nil
	}
	return func(step, phase string) {
		switch step + ":" + phase {
		case kill:
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		case term:
			// As an operator's `kill` would: the process shuts down cleanly.
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}
	}
}
