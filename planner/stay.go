package planner

import "fmt"

// stay fills the plan of a service the request names but whose placement it
// does not leave. Service only narrows which services are considered: it
// never names a provider to leave, so the reason says how to move anyway.
func (p *planner) stay(sp *ServicePlan) {
	o := p.observe(sp.From)
	sp.Action = ActionStay
	if p.req.From != "" {
		sp.Reason = fmt.Sprintf("%s runs on %s, not on %s (the request's from)", sp.Service, sp.From, p.req.From)
	} else {
		sp.Reason = fmt.Sprintf("%s already runs on %s, which is %s: nothing to do", sp.Service, sp.From, stateReason(o))
	}
	wanted := p.req.To == "" || p.req.To == sp.From
	if p.req.Kind == KindManual && p.req.From == "" {
		switch {
		case !wanted:
			sp.Reason += fmt.Sprintf("; to move it to %s anyway, name %s with from", p.req.To, sp.From)
		case o.State != StateHealthy:
			sp.Reason += fmt.Sprintf("; to move it anyway, name %s with from", sp.From)
		}
	}
	sp.Settled = wanted && o.State == StateHealthy
}
