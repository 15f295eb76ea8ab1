package main

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func TestUnknownCommandIsUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "failovr")
	if code != exitInvalid {
		t.Fatalf("unknown command: exit %d, want %d (README: bad usage is 2); stderr %q", code, exitInvalid, errOut)
	}
	if !strings.Contains(errOut, `unknown command "failovr"`) || !strings.Contains(errOut, "failover") {
		t.Fatalf("stderr %q: want the unknown command and cobra's suggestion", errOut)
	}
}

func TestStatusExitCode(t *testing.T) {
	a := testharness.StartHost(t, testharness.LoopbackIP(t), "hello")
	cfg := writeStatusConfig(t, []string{a.Addr})
	if code, _, errOut := runCLI(t, "status", "-c", cfg, "--exit-code"); code != exitOK {
		t.Fatalf("healthy with --exit-code: exit %d, want 0: %s", code, errOut)
	}
	a.Stop()
	// fail_after 2: two failed rounds make aws down.
	code, out, errOut := runCLI(t, "status", "-c", cfg, "--rounds", "2", "--exit-code")
	if code != exitDown {
		t.Fatalf("aws down with --exit-code: exit %d, want %d: %s", code, exitDown, errOut)
	}
	if !strings.Contains(out, "aws       down") || !strings.Contains(errOut, "aws down") {
		t.Fatalf("the table is still printed and stderr names the provider:\nstdout %s\nstderr %s", out, errOut)
	}
	if code, _, _ := runCLI(t, "status", "-c", cfg, "--rounds", "2", "-o", "json", "--exit-code"); code != exitDown {
		t.Fatalf("json: exit %d, want %d", code, exitDown)
	}
	if code, _, _ := runCLI(t, "status", "-c", cfg, "--rounds", "2"); code != exitOK {
		t.Fatalf("without --exit-code: exit %d, want 0", code)
	}
}
