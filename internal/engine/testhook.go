//go:build lifeboat_testhooks

package engine

import (
	"os"
	"syscall"
	"time"
)

// testHook lets the crash tests kill the process at an exact step
// boundary: LIFEBOAT_TEST_KILL_AT=STEP:started|finished. LIFEBOAT_TEST_TERM_AT
// sends SIGTERM instead, for the shutdown tests; LIFEBOAT_TEST_PAUSE_AT holds
// the step while LIFEBOAT_TEST_PAUSE_FILE exists. They exist only in
// binaries built with the lifeboat_testhooks tag, never in the shipped one.
func testHook() func(step, phase string) {
	kill, term := os.Getenv("LIFEBOAT_TEST_KILL_AT"), os.Getenv("LIFEBOAT_TEST_TERM_AT")
	pause, pauseFile := os.Getenv("LIFEBOAT_TEST_PAUSE_AT"), os.Getenv("LIFEBOAT_TEST_PAUSE_FILE")
	if kill == "" && term == "" && pause == "" {
		return nil
	}
	return func(step, phase string) {
		switch step + ":" + phase {
		case kill:
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		case term:
			// As an operator's `kill` would: the process shuts down cleanly.
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		case pause:
			// While PAUSE_FILE exists the step waits (at most two
			// minutes): a test holds an operation in flight this way.
			if _, err := os.Stat(pauseFile); err != nil {
				return
			}
			_ = os.WriteFile(pauseFile+".reached", nil, 0o600)
			for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if _, err := os.Stat(pauseFile); err != nil {
					return
				}
			}
		}
	}
}
