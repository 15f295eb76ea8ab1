package executor

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// errCrash is what AfterJournal panics with to stop an executor dead at a
// step boundary, as a killed process would.
var errCrash = errors.New("simulated crash")

// startUntilCrash starts plan with an executor that panics right after the
// journal write (key, phase), and reports whether it got there.
func startUntilCrash(t *testing.T, w *world, plan planner.Result, key, phase string) (crashed bool) {
	t.Helper()
	e := w.executor(func(k, p string) {
		if k == key && p == phase {
			panic(errCrash)
		}
	})
	defer func() {
		if r := recover(); r != nil {
			if r != errCrash {
				panic(r)
			}
			crashed = true
		}
	}()
	_, err := e.Start(context.Background(), plan, "manual")
	t.Errorf("the operation ended (err %v) without reaching %s %s", err, key, phase)
	return false
}

// A crash right after any journal write of any step is resumed by a fresh
// executor: the operation succeeds, every step runs to completion exactly
// once (a step journaled done is never run again, a step only started is
// run once more) and DNS ends at the target.
func TestResumeAfterEveryStepBoundary(t *testing.T) {
	kinds := []planner.StepKind{planner.StepPrepare, planner.StepApply, planner.StepReadOutputs,
		planner.StepWaitHealthy, planner.StepDNSCutover, planner.StepVerifyDNS, planner.StepNotify}
	for _, kind := range kinds {
		for _, phase := range []string{"started", "finished"} {
			key := "www/bravo/" + string(kind)
			t.Run(string(kind)+"/"+phase, func(t *testing.T) {
				w := newWorld(t)
				plan := w.plan()
				if got := plan.Services[0].Steps; len(got) != len(kinds) {
					t.Fatalf("plan has %d steps, the test covers %d", len(got), len(kinds))
				}
				if !startUntilCrash(t, w, plan, key, phase) {
					return
				}
				op := w.unfinished()
				if op.Status != journal.StatusRunning {
					t.Fatalf("after the crash the operation is %s, want running", op.Status)
				}
				wantAtCrash := journal.StepOK
				if phase == "started" {
					wantAtCrash = journal.StepRunning
				}
				if got := attempts(op, key); !slices.Equal(got, []journal.StepStatus{wantAtCrash}) {
					t.Fatalf("at the crash %s has attempts %v, want [%s]", key, got, wantAtCrash)
				}

				rep, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{})
				if err != nil {
					t.Fatalf("resume: %v", err)
				}
				if !rep.Resumed || len(rep.Services) != 1 || !rep.Services[0].OK || rep.Services[0].To != "bravo" {
					t.Fatalf("report %+v", rep)
				}
				done := w.operation(op.ID)
				if done.Status != journal.StatusSucceeded {
					t.Fatalf("operation %s, want succeeded", done.Status)
				}
				if u, err := w.journal.Unfinished(context.Background()); err != nil || u != nil {
					t.Fatalf("Unfinished = %v, %v after a successful resume", u, err)
				}
				for _, k := range kinds {
					sk := "www/bravo/" + string(k)
					want := []journal.StepStatus{journal.StepOK}
					if sk == key && phase == "started" {
						want = []journal.StepStatus{journal.StepInterrupted, journal.StepOK}
					}
					if got := attempts(done, sk); !slices.Equal(got, want) {
						t.Errorf("%s attempts %v, want %v", sk, got, want)
					}
				}
				// The world saw each step's effect once, whichever run did it.
				for _, call := range []string{"bravo/prepare", "bravo/apply", "bravo/read-outputs"} {
					if n := w.count(call); n != 1 {
						t.Errorf("%s ran %d times, want 1", call, n)
					}
				}
				w.mu.Lock()
				health, dnsCalls := w.healthCalls, len(w.dnsTargetCalls)
				w.mu.Unlock()
				// One passing round in wait-healthy, one check right before the cutover.
				if health != 2 {
					t.Errorf("health checked %d times, want 2", health)
				}
				// One cutover, one verify.
				if dnsCalls != 2 {
					t.Errorf("DNS targets built %d times, want 2 (cutover and verify)", dnsCalls)
				}
				notes := w.notifications()
				if len(notes) != 1 || notes[0].Event != EventSucceeded || !notes[0].OK || notes[0].To != "bravo" ||
					!slices.Equal(notes[0].Addresses, []string{providerAddr["bravo"]}) {
					t.Errorf("notifications %+v, want one success to bravo", notes)
				}
				if p := w.placement(); p != "bravo" {
					t.Errorf("placement %q, want bravo", p)
				}
				w.wantDNS("bravo", "dns-a", "dns-b")
			})
		}
	}
}
