package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// tier orders candidates: ready ones are taken before usable ones.
type tier int

const (
	tierRejected tier = iota
	tierUsable        // degraded: only when nothing is ready
	tierReady
)

type judgement struct {
	tier     tier
	reason   string
	warnings []string
	// dataOnly is set when the data rule alone rejects the candidate: the
	// health rule would take it.
	dataOnly bool
	// acceptedLoss is set when it passes only because the request accepts
	// data loss: the loss accepted.
	acceptedLoss string
}

// judge applies the target rule (see the package comment) to one provider
// for a service leaving from; explicit is set when the request names it.
// Apart from the from check the verdict does not depend on the service, so
// it is worked out once per provider and plan.
func (p *planner) judge(pi *provInfo, from string, explicit bool) *judgement {
	if pi.cand.Provider == from {
		return &beingLeft
	}
	if explicit {
		j := p.judgeProvider(pi.cand.Provider, true)
		return &j
	}
	if !pi.judged {
		pi.j, pi.judged = p.judgeProvider(pi.cand.Provider, false), true
	}
	return &pi.j
}

// beingLeft is the verdict on a service's current placement. Shared: read
// only.
var beingLeft = judgement{tier: tierRejected, reason: "current placement, being left"}

func (p *planner) judgeProvider(name string, explicit bool) judgement {
	reject := func(reason string) judgement { return judgement{tier: tierRejected, reason: reason} }
	pr := p.providers[name]
	switch {
	case pr == nil:
		return reject("not a provider in the configuration")
	case p.lost[name]:
		return reject("lost provider, being left")
	}
	var warnings []string
	vendor := pr.VendorName()
	// A provider that is itself the vendor's lost one is judged by its own
	// state below.
	if loss, ok := p.lostVendor[vendor]; ok && loss.provider != name {
		if !explicit {
			return reject(loss.reason + "; same blast radius")
		}
		warnings = append(warnings, loss.reason+"; "+name+" shares that vendor, allowed because the request names it")
	}
	o := p.observe(name)
	standby := pr.Standby == config.StandbyWarm || pr.Standby == config.StandbyCold
	switch o.State {
	case StateDown:
		return reject(stateReason(o))
	case StateAccountLost:
		return reject("account lost" + strings.TrimPrefix(stateReason(o), string(StateAccountLost)))
	case StateHealthy:
		return judgement{tier: tierReady, reason: "healthy", warnings: warnings}
	case StateDegraded:
		if p.req.Kind == KindFailback {
			return reject(stateReason(o) + ": failback waits until it is healthy")
		}
		warnings = append(warnings, "target "+name+" is "+stateReason(o))
		return judgement{tier: tierUsable, reason: stateReason(o), warnings: warnings}
	}
	// Unknown: only a standby's answering control plane counts as evidence,
	// and on failback the preferred provider's: no service runs there to
	// be observed until apply brings it back, and wait-healthy still
	// guards the DNS cutover.
	switch {
	case standby && o.ControlPlaneOK:
		return judgement{tier: tierReady, reason: string(pr.Standby) + " standby: health unknown until apply, control plane answers", warnings: warnings}
	case p.req.Kind == KindFailback && o.ControlPlaneOK:
		return judgement{tier: tierReady, reason: "preferred provider: health unknown until apply, control plane answers", warnings: warnings}
	case standby:
		return reject(string(pr.Standby) + " standby with health unknown and its control plane not confirmed")
	}
	return reject("health unknown: an active provider must be observed healthy")
}

// chooseTarget fills sp.To, sp.Candidates and the reason; it leaves sp.To
// empty and the service blocked when nothing can take it.
func (p *planner) chooseTarget(s *config.Service, sp *ServicePlan) {
	if to := p.req.To; to != "" {
		p.chooseNamed(s, sp, to)
		return
	}
	infos, judged := p.scratch[:0], p.scratchJudged[:0]
	cands := p.candidates.take(len(s.Candidates))
	best, bestTier, bestRank := -1, tierRejected, 0
	var dataRejected []string
	for i, name := range s.Candidates {
		pi := p.info(name)
		judged = append(judged, p.judgeFor(s, pi, sp.From, false))
		j := &judged[len(judged)-1]
		infos = append(infos, pi)
		c := pi.cand
		c.Reason, c.Verdict = j.reason, VerdictRejected
		if j.tier > tierRejected {
			c.Verdict = VerdictViable
		}
		if j.dataOnly {
			dataRejected = append(dataRejected, name)
		}
		cands = append(cands, c)
		if r := rank(j); r > bestRank {
			best, bestTier, bestRank = i, j.tier, r
		}
	}
	p.scratch, p.scratchJudged = infos, judged
	if best >= 0 {
		cands[best].Verdict = VerdictChosen
		sp.To = cands[best].Provider
		sp.Warnings = append(sp.Warnings, judged[best].warnings...)
		sp.AcceptedDataLoss = judged[best].acceptedLoss
		for i := range cands {
			if cands[i].Verdict == VerdictViable {
				cands[i].Reason = p.viableReason(infos[i], &judged[i], infos[best], judged[i].tier < bestTier, judged[best].acceptedLoss == "")
			}
		}
	}
	sp.Candidates = cands
	order := strings.Join(s.Candidates, ", ")
	switch {
	case best < 0:
		sp.Action = ActionBlocked
		if len(s.Candidates) == 0 {
			sp.Reason = s.Name + " has no candidates"
		} else {
			sp.Reason = fmt.Sprintf("no candidate can take %s: every one of %s was rejected", s.Name, order) +
				p.dataBlockedReason(s, dataRejected)
		}
	case bestTier == tierUsable:
		sp.Reason = fmt.Sprintf("no candidate of %s is healthy; %s is the first usable one in the order (%s)", s.Name, sp.To, order)
	default:
		sp.Reason = sp.To + " is the first ready candidate of " + s.Name + " in the order (" + order + ")"
	}
}

// rank orders judgements for the choice of a target: any candidate
// whose data is within the RPO before one taken only by accepting data
// loss (losing writes is worse than a degraded target), then ready
// before usable. 0 is rejected.
func rank(j *judgement) int {
	if j.tier == tierRejected {
		return 0
	}
	if j.acceptedLoss != "" {
		return int(j.tier)
	}
	return int(j.tier) + int(tierReady)
}

// viableReason explains why a viable candidate pi was passed over for
// best. The few distinct texts are built once per plan: with many
// candidates per service they would otherwise be most of the planner's
// allocations.
func (p *planner) viableReason(pi *provInfo, j *judgement, best *provInfo, degraded, bestSound bool) string {
	reason := j.reason
	if j.acceptedLoss != "" {
		// The service's own data is in this one: not shared.
		if bestSound {
			return reason + "; " + best.cand.Provider + "'s data is within the RPO, so it is preferred"
		}
		return viableText(reason, best, degraded)
	}
	k := 2 * best.idx
	if degraded {
		k++
	}
	if pi.viable == nil {
		pi.viable = make([]string, 2*len(p.infos))
	}
	if k < len(pi.viable) && pi.viable[k] != "" {
		return pi.viable[k]
	}
	r := viableText(reason, best, degraded)
	if k < len(pi.viable) {
		pi.viable[k] = r
	}
	return r
}

func viableText(reason string, best *provInfo, degraded bool) string {
	if degraded {
		return reason + "; " + best.cand.Provider + " is ready and preferred over a degraded provider"
	}
	return reason + "; " + best.cand.Provider + " comes first in the order"
}

// chooseNamed judges the target the request names. It is refused, not
// replaced, when it fails the health rule: the operator asked for it.
func (p *planner) chooseNamed(s *config.Service, sp *ServicePlan, to string) {
	isCandidate := slices.Contains(s.Candidates, to)
	for _, name := range s.Candidates {
		if name == to {
			continue
		}
		c := p.info(name).cand
		c.Verdict, c.Reason = VerdictSkipped, "the request names "+to
		if name == sp.From {
			c.Verdict, c.Reason = VerdictRejected, "current placement, being left"
		}
		sp.Candidates = append(sp.Candidates, c)
	}
	named := p.info(to)
	c := named.cand
	var j judgement
	if isCandidate {
		j = p.judgeFor(s, named, sp.From, true)
	} else {
		j = judgement{reason: fmt.Sprintf("not a candidate of %s (candidates: %s)", s.Name, strings.Join(s.Candidates, ", "))}
	}
	c.Reason = j.reason
	if j.tier == tierRejected {
		c.Verdict = VerdictRejected
		sp.Action = ActionBlocked
		sp.Reason = fmt.Sprintf("the requested target %s is refused: %s", to, j.reason)
		if j.dataOnly {
			sp.Reason += "; --accept-data-loss would allow it"
		}
	} else {
		c.Verdict = VerdictChosen
		sp.To = to
		sp.Reason = fmt.Sprintf("%s is the target named by the request", to)
		sp.Warnings = append(sp.Warnings, j.warnings...)
		sp.AcceptedDataLoss = j.acceptedLoss
	}
	// Keep the candidate order: put the named one back where it belongs.
	if i := slices.Index(s.Candidates, to); i >= 0 {
		sp.Candidates = slices.Insert(sp.Candidates, i, c)
	} else {
		sp.Candidates = append(sp.Candidates, c)
	}
}
