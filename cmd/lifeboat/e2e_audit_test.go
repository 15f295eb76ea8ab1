package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

type auditJSON struct {
	Findings []struct {
		ID       string
		Check    string
		Severity string
		Evidence []string
		Fix      string
	}
	Unchecked []struct{ Check, Subject, Reason string }
}

func (a auditJSON) ids() []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, f.ID)
	}
	return out
}

// The audit against a real BIND: the standby's address already published
// in the zone is found, and so is a zone whose NS set names one vendor's
// nameservers only. Offline, neither is looked up and both are listed as
// not checked.
func TestAuditAgainstBIND(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{records: func(w *world) []string {
		return []string{"backup IN A " + w.bravoIP}
	}})
	w.startAlpha()
	// As an operator would type it: no flags.
	r := w.lifeboat(nil, "audit")
	if r.code != 1 || !strings.Contains(r.stdout, "exposure") {
		t.Fatalf("audit: exit %d, want 1 with the exposure reported\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = w.lifeboat(nil, "audit", "-o", "json")
	var doc auditJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("audit -o json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	ids := doc.ids()
	for _, want := range []string{"exposure.ns1.bravo.backup", "delegation.example.test"} {
		if !slices.Contains(ids, want) {
			t.Errorf("finding %s missing; found %v", want, ids)
		}
	}
	for _, f := range doc.Findings {
		if f.ID == "exposure.ns1.bravo.backup" && !strings.Contains(strings.Join(f.Evidence, " "), w.bravoIP) {
			t.Errorf("the exposure's evidence does not show the published address %s: %v", w.bravoIP, f.Evidence)
		}
	}
	if r := w.lifeboat(nil, "audit", "-o", "markdown"); r.code != 1 || !strings.Contains(r.stdout, "| ") {
		t.Errorf("audit -o markdown: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := w.lifeboat(nil, "audit", "--fail-on", "critical"); r.code != 0 {
		t.Errorf("audit --fail-on critical with no critical finding: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := w.lifeboat(nil, "audit", "--fail-on", "severe"); r.code != 2 {
		t.Errorf("audit --fail-on severe: exit %d, want 2 (usage)\n%s", r.code, r.stderr)
	}

	r = w.lifeboat(nil, "audit", "--offline", "-o", "json")
	doc = auditJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("audit --offline -o json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	for _, id := range doc.ids() {
		if strings.HasPrefix(id, "exposure.") || strings.HasPrefix(id, "delegation.") {
			t.Errorf("offline, %s was still reported", id)
		}
	}
	var subjects []string
	for _, u := range doc.Unchecked {
		subjects = append(subjects, u.Subject)
	}
	for _, want := range []string{"zone example.test.", "dns ns1"} {
		if !slices.Contains(subjects, want) {
			t.Errorf("offline, %q is not listed as unchecked: %v", want, subjects)
		}
	}
}
