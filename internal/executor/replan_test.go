package executor

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// checkRejectedBravo checks what both replan tests expect once the
// operation is over: charlie took the service, bravo was rejected and
// never reached DNS.
func checkRejectedBravo(t *testing.T, w *world, rep Report, opID string) {
	t.Helper()
	if len(rep.Services) != 1 {
		t.Fatalf("report %+v", rep)
	}
	sr := rep.Services[0]
	if !sr.OK || sr.To != "charlie" {
		t.Errorf("service report %+v, want moved to charlie", sr)
	}
	if why, ok := sr.Rejected["bravo"]; !ok || !strings.Contains(why, ErrUnhealthy.Error()) {
		t.Errorf("report rejected %v, want bravo as unhealthy", sr.Rejected)
	}
	op := w.operation(opID)
	if op.Status != journal.StatusSucceeded {
		t.Errorf("operation %s, want succeeded", op.Status)
	}
	// The target record is what a resumed run continues with.
	out := op.Outputs("www/target")
	if out["provider"] != "charlie" {
		t.Errorf("target record %v, want provider charlie", out)
	}
	var rejected map[string]string
	if err := json.Unmarshal([]byte(out["rejected"]), &rejected); err != nil || rejected["bravo"] == "" {
		t.Errorf("target record rejected %q (%v), want bravo", out["rejected"], err)
	}
	if got := attempts(op, "www/bravo/wait-healthy"); !slices.Equal(got, []journal.StepStatus{journal.StepFailed}) {
		t.Errorf("bravo wait-healthy attempts %v, want one failed", got)
	}
	for _, k := range []string{"dns-cutover", "verify-dns", "notify"} {
		if got := attempts(op, "www/bravo/"+k); len(got) != 0 {
			t.Errorf("www/bravo/%s ran (%v) after bravo failed its checks", k, got)
		}
		if got := attempts(op, "www/charlie/"+k); !slices.Equal(got, []journal.StepStatus{journal.StepOK}) {
			t.Errorf("www/charlie/%s attempts %v, want one ok", k, got)
		}
	}
	for name, f := range w.dns {
		if f.everWritten(providerAddr["bravo"]) {
			t.Errorf("bravo's address was written at %s", name)
		}
	}
	w.wantDNS("charlie", "dns-a", "dns-b")
	if p := w.placement(); p != "charlie" {
		t.Errorf("placement %q, want charlie", p)
	}
	if n := w.count("bravo/apply"); n != 1 {
		t.Errorf("bravo applied %d times, want 1", n)
	}
	if n := w.count("charlie/apply"); n != 1 {
		t.Errorf("charlie applied %d times, want 1", n)
	}
	w.mu.Lock()
	replans := slices.Clone(w.replans)
	w.mu.Unlock()
	if len(replans) != 1 || replans[0]["bravo"] == "" || len(replans[0]) != 1 {
		t.Errorf("replans %v, want one excluding bravo", replans)
	}
}

// A target that never passes its checks is rejected and the planner's next
// candidate takes the service; DNS never points at the rejected one.
func TestReplanAfterRejectedTarget(t *testing.T) {
	w := newWorld(t)
	w.setHealthy("bravo", false)
	plan := w.plan()
	if plan.Services[0].To != "bravo" {
		t.Fatalf("the fixture plan targets %s, want bravo", plan.Services[0].To)
	}
	rep, err := w.executor(nil).Start(context.Background(), plan, "manual")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	checkRejectedBravo(t, w, rep, rep.Operation)
	notes := w.notifications()
	if len(notes) != 1 || notes[0].Event != EventSucceeded || notes[0].To != "charlie" {
		t.Errorf("notifications %+v, want one success to charlie", notes)
	}
}

// A crash after the replan resumes toward the new target: bravo is neither
// applied nor checked again, and the report still names it rejected.
func TestResumeAfterReplanKeepsTheNewTarget(t *testing.T) {
	w := newWorld(t)
	w.setHealthy("bravo", false)
	if !startUntilCrash(t, w, w.plan(), "www/charlie/apply", "started") {
		return
	}
	op := w.unfinished()
	w.mu.Lock()
	healthBefore := w.healthCalls
	w.mu.Unlock()
	rep, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	checkRejectedBravo(t, w, rep, op.ID)
	w.mu.Lock()
	health := w.healthCalls - healthBefore
	w.mu.Unlock()
	if health != 2 {
		t.Errorf("resume checked health %d times, want 2 (charlie's wait-healthy and the cutover)", health)
	}
	if got := attempts(w.operation(op.ID), "www/charlie/apply"); !slices.Equal(got, []journal.StepStatus{journal.StepInterrupted, journal.StepOK}) {
		t.Errorf("charlie apply attempts %v", got)
	}
}

// Without a health failure nothing is replanned or journaled as a new target.
func TestNoReplanWhenTargetHealthy(t *testing.T) {
	w := newWorld(t)
	rep, err := w.executor(nil).Start(context.Background(), w.plan(), "manual")
	if err != nil || len(rep.Services) != 1 || rep.Services[0].To != "bravo" || len(rep.Services[0].Rejected) != 0 {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	if _, ok := w.operation(rep.Operation).Step("www/target"); ok {
		t.Error("a target record was journaled without a replan")
	}
}
