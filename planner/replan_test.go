package planner_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// A target that failed during the operation is seen as down: the next
// candidate is chosen by the same rules, and the input is not changed.
func TestReplanExcludesFailedTargets(t *testing.T) {
	in := planner.Input{Config: fixture(), Providers: obs(with("aws", planner.StateDown)), DNS: healthyDNS(),
		Request: planner.Request{Kind: planner.KindManual}}
	before := maps.Clone(in.Providers)
	first, err := planner.Replan(in, "www", nil)
	if err != nil || first.To != "hetzner" {
		t.Fatalf("first choice: %+v, %v", first, err)
	}
	next, err := planner.Replan(in, "www", map[string]string{"hetzner": "checks never passed"})
	if err != nil || next.Action != planner.ActionMove || next.To != "ovh" {
		t.Fatalf("after hetzner failed: %+v, %v", next, err)
	}
	var hetzner planner.Candidate
	for _, c := range next.Candidates {
		if c.Provider == "hetzner" {
			hetzner = c
		}
	}
	if hetzner.Verdict != planner.VerdictRejected || !strings.Contains(hetzner.Reason, "failed during this operation: checks never passed") {
		t.Fatalf("hetzner's verdict: %+v", hetzner)
	}
	if !maps.Equal(in.Providers, before) {
		t.Fatal("Replan changed its input's observations")
	}
	if _, err := planner.Replan(in, "nothing", nil); err == nil {
		t.Fatal("an unknown service was planned")
	}
}
