package audit

import (
	"fmt"
	"slices"
)

// dnsDrift finds a secondary DNS provider that no longer holds what its
// zone's source of truth holds: when the source is lost, the secondary
// would answer with stale or missing records.
func dnsDrift(a *auditor) []Finding {
	names := make([]string, 0, len(a.f.Drift))
	for n := range a.f.Drift {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []Finding
	for _, n := range names {
		d := a.f.Drift[n]
		if len(d.Differ) == 0 {
			continue
		}
		evidence := slices.Clone(d.Differ)
		if len(evidence) > 10 {
			evidence = append(evidence[:10], fmt.Sprintf("and %d more", len(d.Differ)-10))
		}
		out = append(out, Finding{
			ID: id("dns-drift", n), Check: CheckDNSDrift, Severity: High,
			Title:    fmt.Sprintf("dns %s has drifted from %s: %d RRset(s) of zone %s differ", n, d.Source, len(d.Differ), d.Zone),
			Evidence: evidence,
			Fix:      fmt.Sprintf("run `lifeboat sync --zone %s --yes` (records the sync did not write need --adopt, or a change at %s), and set policy.sync_interval so lifeboat run keeps it in sync", zoneName(d.Zone), n),
		})
	}
	return out
}
