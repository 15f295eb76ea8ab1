package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// lockingWorld is the world with bravo's state behind an http backend
// that keeps a state lock (as s3, gcs and http do), and a short lock
// timeout.
func lockingWorld(t *testing.T) (*world, *testharness.StateServer) {
	t.Helper()
	s := testharness.StartStateServer(t)
	w := newWorld(t, worldOptions{})
	if err := os.WriteFile(filepath.Join(w.infra, "bravo", "backend.tf"), []byte(s.Backend()), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(data), `  timeout         = "2m"`, "  timeout         = \"2m\"\n  lock_timeout    = \"2s\"", 1)
	if err := os.WriteFile(w.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return w, s
}

const deadLockID = "5d1e7c3a-0f2b-4b8e-9a61-2c7d4e8f9b10"

// A runner killed during the apply leaves the state lock behind on a
// backend that keeps it: the run that takes the operation over finds the
// lock taken by the dead attempt (as the journal shows it), releases it
// with force-unlock, journals that, and finishes the failover.
func TestFailoverReleasesTheStateLockOfADeadRunner(t *testing.T) {
	t.Parallel()
	w, s := lockingWorld(t)
	w.startAlpha()
	w.cutOffAlpha()
	r := w.lifeboat([]string{"LIFEBOAT_TEST_KILL_AT=www/bravo/apply:started"}, "failover", "--from", "alpha", "--yes")
	if !r.killed {
		t.Fatalf("the run was not killed at the apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// What the dead runner's tofu left: its lock, taken just after the
	// attempt started.
	if !s.Plant(map[string]any{"ID": deadLockID, "Operation": "OperationTypeApply", "Who": "root@dead-leader",
		"Version": "1.10.6", "Created": time.Now().UTC().Format(time.RFC3339Nano)}) {
		t.Fatal("the state lock is already held")
	}

	r = w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 0 {
		t.Fatalf("the run after the crash: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)
	if h := s.Holder(); h != nil {
		t.Errorf("the state lock is held after the failover: %v", h)
	}
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("want one succeeded operation: %+v", ops)
	}
	released := ""
	for _, st := range ops[0].Steps {
		if st.ID == "www/bravo/apply" && st.Status == journal.StepOK {
			released = st.Outputs["state_lock_released"]
		}
	}
	if !strings.Contains(released, deadLockID) || !strings.Contains(released, "root@dead-leader") || !strings.Contains(released, "attempt 1") {
		t.Errorf("the journal's apply attempt does not record the release of the dead runner's lock: %q\n%+v", released, ops[0].Steps)
	}
}

// A state lock the journal cannot account for (here an operator's, taken
// before the failover) is left alone: the failover fails saying who holds
// it and how to release it by hand.
func TestFailoverLeavesAStateLockItCannotAccountFor(t *testing.T) {
	t.Parallel()
	w, s := lockingWorld(t)
	w.startAlpha()
	w.cutOffAlpha()
	s.Plant(map[string]any{"ID": deadLockID, "Operation": "OperationTypeApply", "Who": "alice@laptop",
		"Version": "1.10.6", "Created": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)})
	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code == 0 {
		t.Fatalf("the failover succeeded on a state locked by someone else\n%s%s", r.stdout, r.stderr)
	}
	out := r.stdout + r.stderr
	for _, want := range []string{"state is locked", deadLockID, "alice@laptop", "tofu force-unlock " + deadLockID} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure does not say %q:\n%s", want, out)
		}
	}
	if h := s.Holder(); h == nil || h["ID"] != deadLockID {
		t.Errorf("the operator's lock was released: %v", h)
	}
	wantA(t, w.dns[0], w.alphaIP)
}
