package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// readiness finds a service whose failover has not been rehearsed
// recently, or whose last rehearsal failed. A nil Drills map means the
// journal was not read, and nothing is said.
func readiness(a *auditor) []Finding {
	if a.f.Drills == nil {
		return nil
	}
	maxAge := a.cfg.Audit.DrillMaxAge
	if maxAge <= 0 {
		maxAge = config.DefaultDrillMaxAge
	}
	since := a.f.Now.Add(-maxAge)
	var out []Finding
	for _, s := range a.services {
		drills := a.f.Drills[s.Name]
		newest, passed := -1, -1
		for i, d := range drills {
			if newest < 0 || d.At.After(drills[newest].At) {
				newest = i
			}
			if d.OK && (passed < 0 || d.At.After(drills[passed].At)) {
				passed = i
			}
		}
		fix := a.drillFix(s.Name)
		switch {
		case newest < 0:
			out = append(out, Finding{
				ID: id(CheckReadiness, s.Name), Check: CheckReadiness, Severity: High,
				Title:    fmt.Sprintf("%s has never been drilled", s.Name),
				Evidence: []string{"the journal holds no drill of " + s.Name},
				Fix:      fix,
			})
			continue
		case passed < 0 || drills[passed].At.Before(since):
			ev := "no drill of " + s.Name + " has passed"
			if passed >= 0 {
				d := drills[passed]
				ev = fmt.Sprintf("the newest passed drill of %s is %s (%s) at %s, %s before now; audit.drill_max_age is %s",
					s.Name, d.Name, d.Mode, stamp(d.At), age(a.f.Now.Sub(d.At)), age(maxAge))
			}
			out = append(out, Finding{
				ID: id(CheckReadiness, s.Name), Check: CheckReadiness, Severity: Medium,
				Title:    fmt.Sprintf("no drill of %s passed within %s", s.Name, age(maxAge)),
				Evidence: []string{ev},
				Fix:      fix,
			})
		}
		if d := drills[newest]; !d.OK {
			out = append(out, Finding{
				ID: id("readiness-failed", s.Name), Check: CheckReadiness, Severity: High,
				Title:    fmt.Sprintf("the last drill of %s failed", s.Name),
				Evidence: []string{fmt.Sprintf("drill %s (%s) failed at %s", d.Name, d.Mode, stamp(d.At))},
				Fix:      fmt.Sprintf("read its report (lifeboat history --drills), fix what failed and run drill %q again", d.Name),
			})
		}
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// age prints a duration the way people count it: days when long.
func age(d time.Duration) string {
	if d >= 48*time.Hour {
		days := d / (24 * time.Hour)
		if rest := (d - days*24*time.Hour).Round(time.Hour); rest > 0 {
			return fmt.Sprintf("%d days %dh", days, rest/time.Hour)
		}
		return fmt.Sprintf("%d days", days)
	}
	return d.Round(time.Minute).String()
}

// drillFix names the drill blocks of service when there are some, since
// running one is then all it takes.
func (a *auditor) drillFix(service string) string {
	var names []string
	for _, d := range a.cfg.Drills {
		if d != nil && d.Service == service {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("add a drill block with service = %q and a schedule (canary or full mode proves the most); audit.drill_max_age sets how old a passed drill may be", service)
	}
	slices.Sort(names)
	return fmt.Sprintf("run lifeboat drill %s now, and keep lifeboat run running so its schedule runs it (drill %s); audit.drill_max_age sets how old a passed drill may be",
		names[0], strings.Join(names, ", "))
}
