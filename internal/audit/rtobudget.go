package audit

import (
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// rtoBudget adds up how long a failover of each service with an rto takes
// at best: resolvers hold the old answer for the TTL, detection takes
// interval x fail_after, and the standby's apply its last measured time.
func rtoBudget(a *auditor) []Finding {
	plans := map[string]planner.Result{} // by primary: one plan serves every service on it
	var out []Finding
	for _, s := range a.services {
		if s.RTO <= 0 {
			continue
		}
		prim := a.primary(s)
		res, ok := plans[prim]
		if !ok {
			var err error
			res, err = a.simulate(map[string]bool{prim: true}, nil, "simulated loss of provider "+prim)
			if err != nil {
				a.unchecked = append(a.unchecked, Unchecked{Check: CheckRTOBudget, Subject: "service " + s.Name, Reason: err.Error()})
				continue
			}
			plans[prim] = res
		}
		sp, _ := servicePlan(res, s.Name)
		if f, ok := a.budget(s, prim, sp.To); ok {
			out = append(out, f)
		}
	}
	return out
}

func (a *auditor) budget(s *config.Service, prim, target string) (Finding, bool) {
	ttl := time.Duration(s.TTL) * time.Second
	if s.TTL <= 0 {
		ttl = time.Duration(config.DefaultTTL) * time.Second
	}
	pol := a.cfg.Policy
	detect := pol.Interval * time.Duration(pol.FailAfter)
	sum := ttl + detect
	terms := fmt.Sprintf("ttl %ds + interval %s x fail_after %d (%s)", int(ttl/time.Second), pol.Interval, pol.FailAfter, detect)

	var missing string // why the apply term is unknown
	apply, measured := a.f.ApplyTimes[target]
	switch {
	case target == "":
		missing = "no candidate can take " + s.Name + " when " + prim + " is lost, so there is no apply to measure"
	case !hasWorkspace(a.cfg, target):
		terms += " + no apply at " + target + " (no terraform workspace) 0s"
	case !measured:
		missing = "no measured apply at " + target
	default:
		apply = apply.Round(time.Second)
		sum += apply
		terms += fmt.Sprintf(" + last apply at %s %s", target, apply)
	}
	over := sum > s.RTO
	cmp := "<="
	if over {
		cmp = ">"
	}
	arith := fmt.Sprintf("%s = %s %s rto %s", terms, sum, cmp, s.RTO)
	ev := []string{}
	if target != "" {
		ev = append(ev, fmt.Sprintf("%s runs on %s; when it is lost the planner moves it to %s", s.Name, prim, target))
	}
	f := Finding{ID: id(CheckRTOBudget, s.Name), Check: CheckRTOBudget}
	switch {
	case missing == "" && !over:
		return Finding{}, false
	case missing == "":
		f.Severity = High
		f.Title = fmt.Sprintf("a failover of %s takes longer than its rto", s.Name)
		f.Evidence = append(ev, arith)
		f.Fix = fmt.Sprintf("lower service.ttl, policy.interval or policy.fail_after, make %s a warm standby (provider.standby) so its apply is shorter, or raise service.rto of %q", target, s.Name)
	case over:
		// The TTL and detection alone miss the rto: no apply, however
		// short, brings the failover back within it.
		f.Severity = High
		f.Title = fmt.Sprintf("a failover of %s takes longer than its rto even before the apply", s.Name)
		f.Evidence = append(ev, arith+" ("+missing+")")
		f.Fix = fmt.Sprintf("lower service.ttl, policy.interval or policy.fail_after, or raise service.rto of %q", s.Name)
	default:
		f.Severity = Low
		f.Title = fmt.Sprintf("cannot complete the recovery-time budget of %s: %s", s.Name, missing)
		f.Evidence = append(ev, arith+" without the apply")
		f.Fix = fmt.Sprintf("run a canary or full drill of %q toward %s (a drill block) so its apply time is measured", s.Name, orDefault(target, "a standby"))
		if target == "" {
			f.Fix = fmt.Sprintf("add a provider at another vendor to service %q candidates (service.candidates), then drill it", s.Name)
		}
	}
	return f, true
}
