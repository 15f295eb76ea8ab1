// Package audit finds where a team is still one vendor's decision away from
// going dark: a service with nowhere to go when one provider, vendor or
// jurisdiction is lost; DNS, Terraform state, the journal or notifications
// at the same vendor as a service's primary; standby addresses already
// published; a recovery-time budget over the service's rto; drills too old
// or failed; data lifeboat cannot see or that is older than the rpo,
// backups too old, kept only at the primary's vendor, or never restored.
//
// Audit is a pure function, like the planner it asks: the configuration and
// the facts the look-ups found in, a Report out. It does no I/O and reads
// no clock (Facts.Now is the time), and equal inputs give equal reports.
// Each check lives in its own file; finding IDs are stable across runs so
// a team can track one or accept it.
package audit

import (
	"cmp"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Check names, as they appear in Finding.Check and Unchecked.Check.
const (
	CheckSingleLoss = "single-loss"
	CheckSharedFate = "shared-fate"
	CheckExposure   = "exposure"
	CheckRTOBudget  = "rto-budget"
	CheckReadiness  = "readiness"
	CheckDNSDrift   = "dns-drift"
	// CheckData: data blocks and backups (data-unknown, data-stale,
	// backup-stale).
	CheckData = "data"
)

// Finding is one thing that can still take a service offline, or keep it
// offline longer than it may be.
type Finding struct {
	ID       string   `json:"id"`    // stable across runs: e.g. "single-loss.vendor.hetzner.www"
	Check    string   `json:"check"` // single-loss | shared-fate | exposure | rto-budget | readiness | dns-drift | data
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`    // one line
	Evidence []string `json:"evidence"` // what was seen, with the arithmetic where there is some
	Fix      string   `json:"fix"`      // what to change, naming the configuration attribute
}

// Report is the audit's result.
type Report struct {
	Findings  []Finding   `json:"findings"` // most severe first, then by ID; never nil
	Unchecked []Unchecked `json:"unchecked,omitempty"`
}

// checkFunc is one check: a function of the configuration and the facts.
// It adds to a.unchecked a check it could not make.
type checkFunc func(a *auditor) []Finding

var checks = []checkFunc{singleLoss, sharedFate, zoneFate, redelegation, exposure, rtoBudget, readiness, restoreReadiness, dnsDrift, nodeQuorum, dataTier}

// Audit runs every check. It reads cfg and f and never modifies them.
func Audit(cfg *config.Config, f Facts) Report {
	r := Report{Findings: []Finding{}}
	if cfg != nil {
		a := newAuditor(cfg, f)
		for _, c := range checks {
			r.Findings = append(r.Findings, c(a)...)
		}
		r.Unchecked = append(r.Unchecked, a.unchecked...)
	}
	r.Findings = dedupe(r.Findings)
	for i := range r.Findings {
		if r.Findings[i].Evidence == nil {
			r.Findings[i].Evidence = []string{}
		}
	}
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	r.Unchecked = append(r.Unchecked, f.Unchecked...)
	slices.SortStableFunc(r.Unchecked, func(a, b Unchecked) int {
		return cmp.Or(strings.Compare(a.Check, b.Check), strings.Compare(a.Subject, b.Subject), strings.Compare(a.Reason, b.Reason))
	})
	r.Unchecked = slices.Compact(r.Unchecked)
	if len(r.Unchecked) == 0 {
		r.Unchecked = nil
	}
	return r
}

// dedupe keeps the first finding of each ID: an ID names one finding.
func dedupe(fs []Finding) []Finding {
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	return out
}

// Worst is the highest severity among the findings; false when there is none.
func (r Report) Worst() (Severity, bool) {
	if len(r.Findings) == 0 {
		return Low, false
	}
	w := r.Findings[0].Severity
	for _, f := range r.Findings[1:] {
		w = max(w, f.Severity)
	}
	return w, true
}

// AtOrAbove counts the findings of severity s or higher, for the exit code.
func (r Report) AtOrAbove(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s {
			n++
		}
	}
	return n
}
