package planner

import (
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// notMeasured is the reason of a provider the input has no data entry for.
const notMeasured = "not measured"

// dataObs returns what was measured of service's data at provider.
func (p *planner) dataObs(service, provider string) DataObservation {
	o, ok := p.in.Data[service][provider]
	if !ok {
		return DataObservation{State: DataUnknown, Reason: notMeasured}
	}
	switch o.State {
	case DataFresh, DataStale:
	default:
		o.State = DataUnknown
	}
	if o.AgeKnown && o.Age < 0 {
		o.Age = 0 // clocks apart: the data is not from the future
	}
	return o
}

// dataSound is the data rule (see the package comment): the data is
// fresh, of known age and, with an RPO, within it.
func dataSound(s *config.Service, o DataObservation) bool {
	return o.State == DataFresh && o.AgeKnown && (s.RPO <= 0 || o.Age <= s.RPO)
}

// dataWhy says why data that is not sound fails the rule: "data 5m2s old,
// over the RPO 30s (...)", "data age unknown: not measured".
func dataWhy(s *config.Service, o DataObservation) string {
	paren := ""
	if o.Reason != "" {
		paren = " (" + o.Reason + ")"
	}
	switch {
	case !o.AgeKnown:
		why := o.Reason
		if why == "" {
			why = string(o.State)
		}
		return "data age unknown: " + why
	case s.RPO > 0 && o.Age > s.RPO:
		return "data " + fmtAge(o.Age) + " old, over the RPO " + fmtAge(s.RPO) + paren
	}
	return "data " + fmtAge(o.Age) + " old, but " + string(o.State) + paren
}

// dataLoss is what a move to data o loses: "up to 42s of writes", or "an
// unknown amount of writes".
func dataLoss(o DataObservation) string {
	if o.AgeKnown {
		return "up to " + fmtAge(o.Age) + " of writes"
	}
	return "an unknown amount of writes"
}

// judgeFor is the target rule for service s at pi: the health rule first
// (judge, worked out once per provider), then the data rule, which depends
// on the service and so stays out of judge's cache. A drill is never gated.
// The warnings may be shared: append only to a copy.
func (p *planner) judgeFor(s *config.Service, pi *provInfo, from string, explicit bool) judgement {
	j := *p.judge(pi, from, explicit)
	if s.RPO <= 0 || len(s.Data) == 0 || j.tier == tierRejected || p.req.Kind == KindDrill {
		return j
	}
	o := p.dataObs(s.Name, pi.cand.Provider)
	if dataSound(s, o) {
		return j
	}
	why := dataWhy(s, o)
	if p.req.AcceptDataLoss { // never automatic: validate refuses it
		loss := dataLoss(o)
		j.reason += "; " + why + "; accepted by the request"
		j.warnings = append(slices.Clip(j.warnings), "accepting data loss at "+pi.cand.Provider+", "+loss+": "+why)
		j.acceptedLoss = loss
		return j
	}
	return judgement{tier: tierRejected, reason: why, dataOnly: true}
}

// describeData fills what a plan shows of s's data: each candidate's
// measurement, the loss a move to the target means, and a drill's warning
// when it rehearses on data that would fail the RPO.
func (p *planner) describeData(s *config.Service, sp *ServicePlan) {
	if len(s.Data) == 0 {
		return
	}
	all := p.candData.take(len(sp.Candidates))
	for i := range sp.Candidates {
		o := p.dataObs(s.Name, sp.Candidates[i].Provider)
		d := CandidateData{State: o.State, AgeKnown: o.AgeKnown, Reason: o.Reason}
		if o.AgeKnown {
			d.AgeSeconds = o.Age.Seconds()
		}
		all = append(all, d)
		sp.Candidates[i].Data = &all[i]
	}
	if sp.To == "" {
		return
	}
	o := p.dataObs(s.Name, sp.To)
	sp.ExpectedLoss = "unknown"
	if o.AgeKnown {
		sp.ExpectedLoss = dataLoss(o)
	}
	if p.req.Kind == KindDrill && !dataSound(s, o) {
		sp.Warnings = append(sp.Warnings, "the drill runs on stale data: at "+sp.To+", "+dataWhy(s, o))
	}
}

// dataBlockedReason adds to a blocked service's reason what would move it
// when the data rule rejected candidates (names) the health rule allows.
func (p *planner) dataBlockedReason(s *config.Service, names []string) string {
	if len(names) == 0 {
		return ""
	}
	which := "the data of " + strings.Join(names, ", ") + " fails the RPO " + fmtAge(s.RPO)
	if p.req.Kind == KindAutomatic {
		return "; " + which + ", and an automatic failover never accepts data loss: to move it anyway, losing those writes, run `lifeboat failover --service " +
			s.Name + " --accept-data-loss --yes`"
	}
	return "; " + which + ": --accept-data-loss would allow it"
}

// dataSteps returns the fence and promote steps of a move of s to sp.To,
// data blocks by name: every fence, then every promote. A drill has none:
// a rehearsal must not touch the production database.
func (p *planner) dataSteps(s *config.Service, sp *ServicePlan) []Step {
	if len(s.Data) == 0 || p.req.Kind == KindDrill {
		return nil
	}
	blocks := slices.DeleteFunc(slices.Clone(s.Data), func(d *config.Data) bool { return d == nil })
	slices.SortFunc(blocks, func(a, b *config.Data) int { return strings.Compare(a.Name, b.Name) })
	var fences, promotes []Step
	for _, d := range blocks {
		if why := fenceReason(d, sp.From); why != "" && sp.From != "" {
			fences = append(fences, Step{ID: DataStepID(s.Name, sp.From, d.Name, StepFence), Kind: StepFence,
				Service: s.Name, Provider: sp.From, Data: d.Name, Reason: why})
		}
		if why := promoteReason(d, sp.To); why != "" {
			promotes = append(promotes, Step{ID: DataStepID(s.Name, sp.To, d.Name, StepPromote), Kind: StepPromote,
				Service: s.Name, Provider: sp.To, Data: d.Name, Reason: why})
		}
	}
	return append(fences, promotes...)
}

// fenceReason is the reason of d's fence step at the old provider, or ""
// when d has none: a postgres block fences by default unless disabled, any
// block with a fence command fences with it.
func fenceReason(d *config.Data, from string) string {
	switch {
	case d.Fence != nil && len(d.Fence.Command) > 0:
		return "best effort: the fence command of " + d.Name + " runs for " + from + " if it still answers; never blocks"
	case d.Postgres != nil && (d.Fence == nil || !d.Fence.Disabled):
		return "best effort: the old primary is made read-only if it still answers; never blocks"
	}
	return ""
}

// promoteReason is the reason of d's promote step at the target, or "".
func promoteReason(d *config.Data, to string) string {
	switch {
	case d.Promote != nil && len(d.Promote.Command) > 0:
		return "the promote command of " + d.Name + " runs for " + to + ", before wait-healthy checks the service there"
	case d.Promote != nil && d.Promote.TerraformVar != "":
		return "apply " + to + "'s workspace again with " + d.Promote.TerraformVar + " = \"true\" to promote " + d.Name + " there"
	case d.Postgres != nil && (d.Promote == nil || !d.Promote.Disabled):
		return "make the replica of " + d.Name + " at " + to + " the primary (pg_promote); a replica already promoted is done"
	}
	return ""
}

// DataStepID is the ID of a fence or promote step:
// SERVICE/PROVIDER/DATA/KIND ("www/alpha/db/fence"). The kind stays last,
// as in StepID, so a reader that takes the last part as the kind still
// does; the data block's name keeps two blocks' steps apart.
func DataStepID(service, provider, data string, kind StepKind) string {
	return service + "/" + provider + "/" + data + "/" + string(kind)
}

// fmtAge writes a data age or an RPO rounded up to the second, or to the
// millisecond under a second: an age over the RPO never reads as equal to
// it, and a loss is never understated.
func fmtAge(d time.Duration) string {
	unit := time.Second
	if d < time.Second {
		unit = time.Millisecond
	}
	if t := d.Truncate(unit); t < d {
		d = t + unit
	}
	return d.String()
}
