package testharness

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRealHelper is the child of TestRealUnderShort: a test that needs a
// real part.
func TestRealHelper(t *testing.T) {
	if os.Getenv("TESTHARNESS_REAL_CHILD") != "1" {
		t.Skip("run by TestRealUnderShort")
	}
	Real(t, "a real part")
	t.Log("ran past Real")
}

// TestRealUnderShort runs a real-part test in a child process: -short skips
// it, -short with LIFEBOAT_REQUIRE_REAL=1 fails it, and without -short it runs.
func TestRealUnderShort(t *testing.T) {
	for _, tc := range []struct {
		name        string
		short       bool
		requireReal string
		wantFail    bool
		wantOut     string
	}{
		{"short skips", true, "", false, "--- SKIP: TestRealHelper"},
		{"short with require real fails", true, "1", true, "--- FAIL: TestRealHelper"},
		{"without short runs", false, "", false, "ran past Real"},
		{"without short and require real runs", false, "1", false, "ran past Real"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			args := []string{"-test.run=^TestRealHelper$", "-test.v", "-test.count=1"}
			if tc.short {
				args = append(args, "-test.short")
			}
			cmd := exec.CommandContext(ctx, os.Args[0], args...)
			cmd.Env = append(os.Environ(), "TESTHARNESS_REAL_CHILD=1", RequireRealEnv+"="+tc.requireReal)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail {
				t.Errorf("child failed = %v (%v), want %v\n%s", failed, err, tc.wantFail, out)
			}
			if !strings.Contains(string(out), tc.wantOut) {
				t.Errorf("child output lacks %q:\n%s", tc.wantOut, out)
			}
		})
	}
}
