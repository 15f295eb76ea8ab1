package audit_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

// TestCleanConfigurationHasNoFinding: every check runs on the clean
// configuration and finds nothing; the tables below show each check does
// find something once one thing is changed.
func TestCleanConfigurationHasNoFinding(t *testing.T) {
	r := audit.Audit(parse(t, cleanHCL), cleanFacts())
	if len(r.Findings) != 0 || r.Findings == nil {
		t.Errorf("findings %v (nil: %v), want an empty list", ids(r), r.Findings == nil)
	}
	if len(r.Unchecked) != 0 {
		t.Errorf("unchecked %v, want none", r.Unchecked)
	}
	if _, ok := r.Worst(); ok {
		t.Error("Worst says there is a finding")
	}
}
