package audit_test

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

func TestReadiness(t *testing.T) {
	day := 24 * time.Hour
	drills := func(ds ...audit.DrillFact) func(*audit.Facts) {
		return func(f *audit.Facts) { f.Drills = map[string][]audit.DrillFact{"www": ds} }
	}
	passed := func(name string, ago time.Duration) audit.DrillFact {
		return audit.DrillFact{Name: name, Mode: "canary", At: now.Add(-ago), OK: true}
	}
	failed := func(name string, ago time.Duration) audit.DrillFact {
		return audit.DrillFact{Name: name, Mode: "full", At: now.Add(-ago)}
	}
	runCases(t, audit.CheckReadiness, []checkCase{
		{name: "clean: passed two days ago"},
		{
			name:     "never drilled",
			facts:    func(f *audit.Facts) { f.Drills = map[string][]audit.DrillFact{} },
			want:     map[string]audit.Severity{"readiness.www": audit.High},
			evidence: map[string][]string{"readiness.www": {"add a drill block with service = \"www\""}},
		},
		{
			name: "never drilled, with drill blocks: run one",
			src: cleanHCL + "\ndrill \"weekly\" {\n  schedule = \"0 4 * * 1\"\n  service = \"www\"\n}\n" +
				"drill \"canary\" {\n  schedule = \"0 5 1 * *\"\n  service = \"www\"\n  mode = \"canary\"\n}\n",
			facts:    func(f *audit.Facts) { f.Drills = map[string][]audit.DrillFact{} },
			want:     map[string]audit.Severity{"readiness.www": audit.High},
			evidence: map[string][]string{"readiness.www": {"run lifeboat drill canary now", "(drill canary, weekly)"}},
		},
		{
			name:     "the last pass is too old",
			facts:    drills(passed("monthly", 40*day)),
			want:     map[string]audit.Severity{"readiness.www": audit.Medium},
			evidence: map[string][]string{"readiness.www": {"monthly (canary) at 2026-10-19T12:00:00Z, 40 days before now; audit.drill_max_age is 30 days"}},
		},
		{
			name: "audit.drill_max_age is the limit",
			src:  cleanHCL + "\naudit {\n  drill_max_age = \"24h\"\n}\n",
			want: map[string]audit.Severity{"readiness.www": audit.Medium},
		},
		{
			name:     "the newest failed after a recent pass",
			facts:    drills(failed("gameday", time.Hour), passed("weekly", 3*day)),
			want:     map[string]audit.Severity{"readiness-failed.www": audit.High},
			evidence: map[string][]string{"readiness-failed.www": {"drill gameday (full) failed at 2026-11-28T11:00:00Z"}},
		},
		{
			name:     "only failures",
			facts:    drills(failed("gameday", time.Hour), failed("gameday", 8*day)),
			want:     map[string]audit.Severity{"readiness.www": audit.Medium, "readiness-failed.www": audit.High},
			evidence: map[string][]string{"readiness.www": {"no drill of www has passed"}},
		},
		{
			// The newest is found by time, whatever order the look-up used.
			name:  "oldest first",
			facts: drills(failed("gameday", 8*day), passed("weekly", day)),
		},
		{
			name:  "the journal was not read",
			facts: func(f *audit.Facts) { f.Drills = nil },
		},
	})
}
