package executor

import (
	"slices"
	"testing"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// The cutover retries DNS providers left out for being unreachable, never
// those at a lost vendor: their records may be in the lost vendor's hands.
func TestLeftOut(t *testing.T) {
	sp := planner.ServicePlan{DNS: []planner.DNSChoice{
		{Name: "used", Vendor: "v1", State: planner.StateHealthy, Use: true},
		{Name: "down", Vendor: "v2", State: planner.StateDown},
		{Name: "unknown", Vendor: "v3", State: planner.StateUnknown},
		{Name: "at-lost-vendor", Vendor: "lost", State: planner.StateHealthy},
		{Name: "account-lost", Vendor: "v4", State: planner.StateAccountLost},
		{Name: "observed-lost-vendor", Vendor: "v5", State: planner.StateDown, LostVendor: true},
	}}
	got := leftOut(sp, map[string]bool{"lost": true})
	if want := []string{"down", "unknown"}; !slices.Equal(got, want) {
		t.Fatalf("leftOut = %v, want %v", got, want)
	}
}

func TestStepKeysNameTheTarget(t *testing.T) {
	cut := planner.Step{Service: "www", Provider: "bravo", Kind: planner.StepDNSCutover, DNS: []string{"a", "b"}}
	if got := stepKey(cut); got != "www/bravo/dns-cutover" {
		t.Fatalf("stepKey = %q", got)
	}
	retry := retryStep(cut, []string{"b"})
	if stepKey(retry) != "www/bravo/dns-retry" || !slices.Equal(retry.DNS, []string{"b"}) || !slices.Equal(cut.DNS, []string{"a", "b"}) {
		t.Fatalf("retry step %+v (cutover now %+v)", retry, cut)
	}
	if got := splitList(""); got != nil {
		t.Fatalf("splitList(\"\") = %v", got)
	}
}

func TestSecretVarsAreFilledIn(t *testing.T) {
	st := planner.Step{Service: "www", Provider: "b", Kind: planner.StepApply,
		Vars: map[string]string{"token": planner.SecretValue, "size": "cx22"}, SecretVars: []string{"token"}}
	if _, err := (&Executor{}).vars(st); err == nil {
		t.Fatal("secret variables without a source were accepted")
	}
	e := &Executor{env: Env{SecretVar: func(_ planner.Step, name string) (string, error) { return "real-" + name, nil }}}
	vars, err := e.vars(st)
	if err != nil || vars["token"] != "real-token" || vars["size"] != "cx22" {
		t.Fatalf("vars %v, %v", vars, err)
	}
	if st.Vars["token"] != planner.SecretValue {
		t.Fatal("the plan's own vars were changed")
	}
}

// The journal names a step by the ID the plan gave it, so `plan` and
// `history` show the same IDs.
func TestJournalKeysAreThePlansIDs(t *testing.T) {
	w := newWorld(t)
	res := w.plan()
	for _, st := range res.Services[0].Steps {
		if stepKey(st) != st.ID {
			t.Errorf("journal key %q, plan ID %q", stepKey(st), st.ID)
		}
	}
}
