//go:build lifeboat_testhooks

package engine

import (
	"os"
	"syscall"
)

// testHook lets the crash tests kill the process at an exact step
// boundary: LIFEBOAT_TEST_KILL_AT=STEP:started|finished. It exists only in
// binaries built with the lifeboat_testhooks tag, never in the shipped one.
func testHook() func(step, phase string) {
	at := os.Getenv("LIFEBOAT_TEST_KILL_AT")
	if at == "" {
		return nil
	}
	return func(step, phase string) {
		if step+":"+phase == at {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
}
