package drill

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadiness(t *testing.T) {
	alpha := &fakeWS{resources: []string{"host"}, addrs: []string{"192.0.2.1"}}
	bravo := &fakeWS{planChange: true} // a cold standby, not running
	charlie := &fakeWS{resources: []string{"host"}, addrs: []string{"192.0.2.3"}, planErr: errors.New("Error: bad module")}
	chk := &fakeChecker{}
	rec := &fakeRecorder{}
	spec := Spec{Name: "r", Mode: ModeReadiness, Service: "www", Current: "alpha", Readiness: &ReadinessSpec{
		DNS: []string{"ns1"},
		Candidates: []Candidate{
			{Provider: "alpha", Current: true, Workspace: alpha},
			{Provider: "bravo", Cold: true, Workspace: bravo, Addresses: []string{"192.0.2.2"}},
			{Provider: "charlie", Workspace: charlie},
		},
	}}
	rep, err := Run(t.Context(), spec, Env{Checker: chk, Zones: &fakeDNS{}, Recorder: rec})
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"zone ns1", "plan alpha", "plan bravo", "plan charlie", "standby bravo", "standby charlie"}
	var got []string
	for _, s := range rep.Steps {
		got = append(got, s.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	// The cold standby not running is noted, not checked, not failed.
	if !rep.Steps[4].OK || !strings.Contains(rep.Steps[4].Detail, "not running") {
		t.Errorf("cold standby: %+v", rep.Steps[4])
	}
	// charlie plans with an error and fails its checks: two failures.
	if len(rep.Failures) != 2 || !strings.Contains(rep.Failures[0], "bad module") || !strings.Contains(rep.Failures[1], "connection refused") {
		t.Errorf("failures %q", rep.Failures)
	}
	if len(chk.seen) != 1 || !slices.Equal(chk.seen[0], []string{"192.0.2.3"}) {
		t.Errorf("checks ran against %v, want only charlie's outputs", chk.seen)
	}
	// Nothing was applied or destroyed anywhere.
	for _, ws := range []*fakeWS{alpha, bravo, charlie} {
		if len(ws.applied) != 0 || ws.destroyed != 0 || ws.planned != 1 {
			t.Errorf("workspace touched: applied %v, destroyed %d, planned %d", ws.applied, ws.destroyed, ws.planned)
		}
	}
	if len(rec.reps) != 1 || rec.reps[0].OK {
		t.Errorf("recorded %+v", rec.reps)
	}
	if !strings.Contains(rep.Steps[2].Detail, "would change") || !strings.Contains(rep.Steps[1].Detail, "no changes") {
		t.Errorf("plan details: %q, %q", rep.Steps[1].Detail, rep.Steps[2].Detail)
	}
}

// A workspace whose init fails fails both of its steps, with the same
// long text: the report shows it once, and the second step points at the
// first.
func TestReadinessSameErrorOnce(t *testing.T) {
	const initErr = "tofu init: exit status 1\nError: Invalid bucket value\nThe \"bucket\" attribute value must not be empty."
	broken := &fakeWS{initErr: errors.New(initErr)}
	spec := Spec{Name: "r", Mode: ModeReadiness, Service: "www", Current: "alpha", Readiness: &ReadinessSpec{
		Candidates: []Candidate{
			{Provider: "alpha", Current: true, Workspace: &fakeWS{resources: []string{"host"}}},
			{Provider: "bravo", Workspace: broken},
		},
	}}
	rep, err := Run(t.Context(), spec, Env{Checker: &fakeChecker{ok: true}, Zones: &fakeDNS{}, Recorder: &fakeRecorder{}})
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("Run: %v", err)
	}
	var text strings.Builder
	for _, s := range rep.Steps {
		text.WriteString(s.Error + "\n")
	}
	for _, f := range rep.Failures {
		text.WriteString(f + "\n")
	}
	// Once in the step, once in the failures: the step's own line.
	if n := strings.Count(text.String(), "must not be empty"); n != 2 {
		t.Errorf("the init error appears %d times, want 2 (step and failure of plan bravo):\n%s", n, text.String())
	}
	want := []string{"plan bravo: " + initErr, `standby bravo: same error as step "plan bravo"`}
	if !slices.Equal(rep.Failures, want) {
		t.Errorf("failures %q, want %q", rep.Failures, want)
	}
}
