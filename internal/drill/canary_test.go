package drill

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

type canaryWorld struct {
	ws  *fakeWS
	chk *fakeChecker
	dns *fakeDNS
	ops *fakeOps
	rec *fakeRecorder
}

func newCanary(running bool) (*canaryWorld, Spec, Env) {
	w := &canaryWorld{
		ws:  &fakeWS{addrs: []string{"192.0.2.7"}},
		chk: &fakeChecker{ok: true},
		dns: &fakeDNS{records: map[string][]string{}},
		ops: &fakeOps{},
		rec: &fakeRecorder{},
	}
	if running {
		w.ws.resources = []string{"host"}
	}
	spec := Spec{Name: "weekly", Mode: ModeCanary, Service: "www", Current: "alpha", Target: "bravo",
		Canary: &CanarySpec{Record: "drill-www", Workspace: w.ws, Vars: map[string]string{"active": "true", "size": "big"},
			OwnVars: map[string]string{"active": "true"}, Output: "addresses", WaitHealthy: time.Second}}
	env := Env{Checker: w.chk, Records: w.dns, Operations: w.ops, Recorder: w.rec, Poll: time.Millisecond}
	return w, spec, env
}

func TestCanaryColdStandbyDestroyedAfter(t *testing.T) {
	w, spec, env := newCanary(false)
	rep, err := Run(t.Context(), spec, env)
	if err != nil || !rep.OK {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
	if w.ws.destroyed != 1 || len(w.ws.resources) != 0 {
		t.Errorf("cold standby: destroyed %d times, resources %v; want destroyed once, none left", w.ws.destroyed, w.ws.resources)
	}
	if w.dns.writes != 1 || w.dns.removes != 1 || len(w.dns.records) != 0 {
		t.Errorf("drill record: %d writes, %d removes, left %v", w.dns.writes, w.dns.removes, w.dns.records)
	}
	if !slices.Equal(w.chk.seen[0], []string{"192.0.2.7"}) {
		t.Errorf("checks ran against %v", w.chk.seen)
	}
	if w.ops.status != "succeeded" || len(w.ops.steps) != len(rep.Steps) || rep.Operations[0] != "op-1" {
		t.Errorf("operation: status %q, %d steps journaled of %d, operations %v", w.ops.status, len(w.ops.steps), len(rep.Steps), rep.Operations)
	}
	if len(w.rec.reps) != 1 || !w.rec.reps[0].OK || rep.RecoveryTime <= 0 || len(rep.LeftChanged) != 0 {
		t.Errorf("recorded %+v; recovery %s, left %v", w.rec.reps, rep.RecoveryTime, rep.LeftChanged)
	}
}

// A standby already up is re-applied with its own vars only when the
// drill's apply changed it, and never destroyed.
func TestCanaryRunningStandbyRestored(t *testing.T) {
	w, spec, env := newCanary(true)
	if rep, err := Run(t.Context(), spec, env); err != nil || !rep.OK {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
	if w.ws.destroyed != 0 || len(w.ws.applied) != 1 {
		t.Fatalf("unchanged standby: destroyed %d, applied %v; want one apply, no destroy", w.ws.destroyed, w.ws.applied)
	}

	// The standby runs with active=false's twin: the drill's apply changes it.
	w, spec, env = newCanary(true)
	spec.Canary.Vars = map[string]string{"active": "false"}
	spec.Canary.OwnVars = map[string]string{"active": "true", "own": "yes"}
	w.ws.addrs = nil
	rep, _ := Run(t.Context(), spec, env)
	if w.ws.destroyed != 0 || len(w.ws.applied) != 2 || w.ws.applied[1]["own"] != "yes" {
		t.Fatalf("changed standby: destroyed %d, applied %v; want a re-apply with its own vars", w.ws.destroyed, w.ws.applied)
	}
	if rep.OK || len(rep.Failures) == 0 {
		t.Errorf("a standby without addresses passed the drill: %+v", rep)
	}
}

// A standby that never passes its checks fails the drill before DNS is
// touched; the cold standby is still destroyed.
func TestCanaryUnhealthyNeverWritesDNS(t *testing.T) {
	w, spec, env := newCanary(false)
	w.chk.ok = false
	spec.Canary.WaitHealthy = 20 * time.Millisecond
	rep, err := Run(t.Context(), spec, env)
	if !errors.Is(err, ErrFailed) || rep.OK {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
	if w.dns.writes != 0 || w.dns.removes != 0 {
		t.Errorf("DNS touched: %d writes, %d removes", w.dns.writes, w.dns.removes)
	}
	if w.ws.destroyed != 1 || w.ops.status != "failed" || len(w.rec.reps) != 1 || w.rec.reps[0].OK {
		t.Errorf("destroyed %d, operation %q, recorded %+v", w.ws.destroyed, w.ops.status, w.rec.reps)
	}
	if !strings.Contains(strings.Join(rep.Failures, " "), "connection refused") {
		t.Errorf("failures do not say why: %v", rep.Failures)
	}
}

// Cancelled once the record is written: the record is still removed (with
// a fresh context), the standby is left up for the real failover, the
// operation ends aborted with the cause, and the report is journaled.
func TestCanaryAbortRemovesRecordKeepsStandby(t *testing.T) {
	w, spec, env := newCanary(false)
	ctx, cancel := context.WithCancelCause(t.Context())
	lost := errors.New("provider alpha lost")
	w.dns.onVerify = func() { cancel(lost) }
	rep, err := Run(ctx, spec, env)
	if !errors.Is(err, ErrAborted) || !rep.Aborted || rep.OK || rep.AbortReason != lost.Error() {
		t.Fatalf("Run: %v; aborted %v reason %q", err, rep.Aborted, rep.AbortReason)
	}
	if w.dns.removes != 1 || !w.dns.removeCtxOK || len(w.dns.records) != 0 {
		t.Errorf("drill record not removed with a live context: removes %d, ctx ok %v, left %v", w.dns.removes, w.dns.removeCtxOK, w.dns.records)
	}
	if w.ws.destroyed != 0 || len(w.ws.resources) == 0 {
		t.Errorf("the standby was torn down during an abort: destroyed %d", w.ws.destroyed)
	}
	if len(rep.LeftChanged) != 1 || !strings.Contains(rep.LeftChanged[0], "bravo") {
		t.Errorf("LeftChanged %v does not say the standby was left up", rep.LeftChanged)
	}
	if w.ops.status != "aborted" || w.ops.summary != lost.Error() {
		t.Errorf("operation finished %q (%q), want aborted with the cause", w.ops.status, w.ops.summary)
	}
	if len(w.rec.reps) != 1 || !w.rec.reps[0].Aborted {
		t.Errorf("the aborted report was not journaled: %+v", w.rec.reps)
	}
}

// A preparation problem is a failed drill whose report is still journaled.
func TestSpecErrorIsJournaled(t *testing.T) {
	rec := &fakeRecorder{}
	rep, err := Run(t.Context(), Spec{Name: "x", Mode: ModeCanary, Service: "www", Err: errors.New("no target")}, Env{Recorder: rec})
	if !errors.Is(err, ErrFailed) || rep.OK || len(rec.reps) != 1 || rec.reps[0].Failures[0] != "no target" {
		t.Fatalf("Run: %v, recorded %+v", err, rec.reps)
	}
}
