package audit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// dataTier finds a service whose data lifeboat cannot see (no data
// block), data at a provider older than the service's rpo, and a backup
// block whose newest backup is older than backup_max_age. Ages come from
// measurements in the facts; without them only the missing data block is
// said.
func dataTier(a *auditor) []Finding {
	var out []Finding
	for _, s := range a.services {
		if len(s.Data) == 0 {
			out = append(out, Finding{
				ID: id("data-unknown", s.Name), Check: CheckData, Severity: Medium,
				Title: fmt.Sprintf("how fresh %s's data is at each provider is not known", s.Name),
				Evidence: []string{
					fmt.Sprintf("service %s has no data block: lifeboat cannot tell whether a provider it fails over to has its data, or how old it is", s.Name),
				},
				Fix: fmt.Sprintf("add a data block to service %q (postgres, http or exec) naming where its data lives at each candidate, and set service.rpo to gate a failover on its age", s.Name),
			})
		}
		out = append(out, a.dataStale(s)...)
		out = append(out, a.backupStale(s)...)
	}
	return out
}

// dataStale: a provider where some data block is older than the rpo, or
// of unknown age (the planner rejects both), one finding per provider.
func (a *auditor) dataStale(s *config.Service) []Finding {
	facts, ok := a.f.Data[s.Name]
	if !ok || s.RPO <= 0 {
		return nil
	}
	byProvider := map[string][]DataFact{}
	for _, d := range facts {
		byProvider[d.Provider] = append(byProvider[d.Provider], d)
	}
	providers := make([]string, 0, len(byProvider))
	for p := range byProvider {
		providers = append(providers, p)
	}
	slices.Sort(providers)
	var out []Finding
	for _, p := range providers {
		var ev []string
		var worst time.Duration
		unknown := false
		ds := byProvider[p]
		slices.SortFunc(ds, func(x, y DataFact) int { return strings.Compare(x.Data, y.Data) })
		for _, d := range ds {
			switch {
			case !d.Known:
				unknown = true
				ev = append(ev, fmt.Sprintf("data %s at %s: age unknown (%s)", d.Data, p, orDefault(d.Reason, "not measured")))
			case d.Age > s.RPO:
				worst = max(worst, d.Age)
				ev = append(ev, fmt.Sprintf("data %s at %s: %s old > rpo %s", d.Data, p, dataAge(d.Age), dataAge(s.RPO)))
			}
		}
		if len(ev) == 0 {
			continue
		}
		title := fmt.Sprintf("%s's data at %s is %s old, over its rpo of %s", s.Name, p, dataAge(worst), dataAge(s.RPO))
		if worst == 0 && unknown {
			title = fmt.Sprintf("how old %s's data at %s is cannot be measured", s.Name, p)
		}
		role := "a candidate"
		if p == a.primary(s) {
			role = "where it runs now"
		} else if !slices.Contains(s.Candidates, p) {
			role = "not a candidate"
		}
		ev = append(ev, fmt.Sprintf("%s is %s of %s; the planner refuses a failover to a provider whose data is over the rpo or of unknown age, unless --accept-data-loss", p, role, s.Name))
		out = append(out, Finding{
			ID: id("data-stale", s.Name, p), Check: CheckData, Severity: High,
			Title: title, Evidence: ev,
			Fix: fmt.Sprintf("bring the replica or copy of %s's data at %s up to date (see lifeboat status), or raise service.rpo of %q if that much loss is accepted", s.Name, p, s.Name),
		})
	}
	return out
}

// backupStale: the rule is backup_max_age (default 26h), not the rpo: the
// rpo gates failing over to live data, while a backup is judged against
// how often it is meant to be made. No backup found is stale too; a
// listing that failed is a check not made.
func (a *auditor) backupStale(s *config.Service) []Finding {
	facts, ok := a.f.Backups[s.Name]
	if !ok {
		return nil
	}
	maxAge := s.BackupMaxAge
	if maxAge <= 0 {
		maxAge = config.DefaultBackupMaxAge
	}
	var out []Finding
	for _, b := range s.Backups {
		if b == nil {
			continue
		}
		i := slices.IndexFunc(facts, func(f BackupFact) bool { return f.Backup == b.Name })
		if i < 0 {
			continue
		}
		f := facts[i]
		if f.Error != "" {
			a.unchecked = append(a.unchecked, Unchecked{Check: CheckData, Subject: "backup " + s.Name + "/" + b.Name, Reason: f.Error})
			continue
		}
		var title, ev string
		switch {
		case f.Newest == "":
			title = fmt.Sprintf("backup %s of %s holds no backup", b.Name, s.Name)
			ev = fmt.Sprintf("backup %s (vendor %s) lists no backup of %s", b.Name, orDefault(b.Vendor, "unknown"), s.Name)
		case a.f.Now.Sub(f.At) > maxAge:
			old := a.f.Now.Sub(f.At)
			title = fmt.Sprintf("the newest backup of %s in backup %s is %s old, over backup_max_age %s", s.Name, b.Name, age(old), age(maxAge))
			ev = fmt.Sprintf("newest backup %s written %s, %s before now > backup_max_age %s", f.Newest, stamp(f.At), age(old), age(maxAge))
		default:
			continue
		}
		out = append(out, Finding{
			ID: id("backup-stale", s.Name, b.Name), Check: CheckData, Severity: High,
			Title:    title,
			Evidence: []string{ev, "rule: the newest backup must be younger than service.backup_max_age (default 26h); the rpo applies to live data, not backups"},
			Fix:      fmt.Sprintf("check the job that writes %s's backups to backup %s, or raise service.backup_max_age of %q to how often it runs", s.Name, b.Name, s.Name),
		})
	}
	return out
}

// backupFate: every backup block of s is at v, the vendor of its primary:
// losing the vendor loses the service and every copy of its data.
func (a *auditor) backupFate(s *config.Service, prim, v string) []Finding {
	if len(s.Backups) == 0 {
		return nil
	}
	var names []string
	for _, b := range s.Backups {
		if b == nil || b.Vendor != v {
			return nil
		}
		names = append(names, b.Name)
	}
	return []Finding{{
		ID: id(CheckSharedFate, "backup", s.Name), Check: CheckSharedFate, Severity: Critical,
		Title: fmt.Sprintf("every backup of %s is at %s, the vendor it runs on", s.Name, v),
		Evidence: []string{
			fmt.Sprintf("%s runs on %s (vendor %s)", s.Name, prim, v),
			fmt.Sprintf("backup block(s) %s: vendor %s", strings.Join(names, ", "), v),
			"when the vendor drops the account, the service and every copy of its data go together",
		},
		Fix: fmt.Sprintf("keep a copy of %s's backups at another vendor: add a backup block (backup.vendor other than %s) for a bucket or directory elsewhere", s.Name, v),
	}}
}

// restoreReadiness: a service with backups whose restore has not been
// rehearsed (a passed drill of mode restore) within audit.drill_max_age.
// A nil Drills map means the journal was not read, and nothing is said.
func restoreReadiness(a *auditor) []Finding {
	if a.f.Drills == nil {
		return nil
	}
	maxAge := a.cfg.Audit.DrillMaxAge
	if maxAge <= 0 {
		maxAge = config.DefaultDrillMaxAge
	}
	var out []Finding
	for _, s := range a.services {
		if len(s.Backups) == 0 {
			continue
		}
		var newest *DrillFact
		for i, d := range a.f.Drills[s.Name] {
			if d.OK && d.Mode == string(config.DrillRestore) && (newest == nil || d.At.After(newest.At)) {
				newest = &a.f.Drills[s.Name][i]
			}
		}
		if newest != nil && !newest.At.Before(a.f.Now.Add(-maxAge)) {
			continue
		}
		ev := "no restore drill of " + s.Name + " has passed"
		if newest != nil {
			ev = fmt.Sprintf("the newest passed restore drill of %s is %s at %s, %s before now; audit.drill_max_age is %s",
				s.Name, newest.Name, stamp(newest.At), age(a.f.Now.Sub(newest.At)), age(maxAge))
		}
		out = append(out, Finding{
			ID: id("restore-readiness", s.Name), Check: CheckReadiness, Severity: High,
			Title:    fmt.Sprintf("no restore of %s's backups passed within %s", s.Name, age(maxAge)),
			Evidence: []string{ev, "a backup never restored is not known to restore"},
			Fix:      a.restoreFix(s.Name),
		})
	}
	return out
}

// restoreFix names the service's restore drills when there are some.
func (a *auditor) restoreFix(service string) string {
	var names []string
	for _, d := range a.cfg.Drills {
		if d != nil && d.Service == service && d.Mode == config.DrillRestore {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("add a drill block with service = %q, mode = \"restore\" and a schedule: it restores the newest backup into a scratch database and checks it", service)
	}
	slices.Sort(names)
	return fmt.Sprintf("run lifeboat drill %s now, and keep lifeboat run running so its schedule runs it (restore drill %s); audit.drill_max_age sets how old a passed drill may be",
		names[0], strings.Join(names, ", "))
}

// dataAge prints a data age to the second when short: lags are seconds
// and minutes.
func dataAge(d time.Duration) string {
	if d < time.Hour {
		return d.Round(time.Second).String()
	}
	return age(d)
}
