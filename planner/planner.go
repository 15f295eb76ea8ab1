// Package planner decides what a failover would do, and why.
//
// Plan is a pure function: configuration, observed states, current placement
// and a request in; a Result out, listing for each affected service the
// target, every candidate with its verdict, the DNS providers used and the
// ordered steps, each with its reason. It does no I/O, reads no clock, draws
// no random numbers and logs nothing: the caller logs the plan it got back.
// Output is sorted, so equal inputs give equal plans.
//
// Which providers are left (Result.Lost). Only From names a provider to
// leave; Service only narrows which services are considered.
//
//   - automatic: every provider observed down or account_lost (From, if
//     given, only when it is).
//   - manual: From, whatever its state; without From, every provider
//     observed down or account_lost, and with Service only that service's
//     placement when it is. A named service whose placement is not left
//     stays, with a reason ("www already runs on charlie, which is healthy:
//     nothing to do").
//   - failback: none; drill: the service's placement, its loss simulated.
//
// Target rule. For a service leaving provider F, each candidate in the
// service's order is judged:
//
//   - F itself and any provider being left are rejected.
//   - A vendor is lost while any of its providers is observed down or
//     account_lost, whatever the request, or is being left by this plan:
//     the company that took one account can take the others. Its other
//     providers are rejected (same blast radius) unless the request names
//     one as its target (To), which then passes with a warning; its DNS
//     providers are not written (DNSChoice.LostVendor).
//   - down and account_lost are rejected.
//   - healthy is ready.
//   - unknown is ready only when the provider's control plane answered
//     (Observation.ControlPlaneOK) and it is either a warm or cold standby,
//     whose hosts do not run until apply, or, on failback, the preferred
//     provider, where no service runs to be observed until apply. Otherwise
//     rejected; wait-healthy still guards the DNS cutover.
//   - degraded is usable only when no candidate is ready, with a warning.
//
// The target is the first ready candidate, else the first usable one; when
// none remains the service is blocked and every rejection is listed. A named
// target is judged by the same health rule, and is refused (not replaced)
// when it fails it. Failback only ever targets the first candidate and
// requires it ready by the rule above; degraded is not enough to move back.
//
// Data rule. A service with data blocks shows, for every candidate, what
// was measured of its data there (Input.Data; a provider with no entry has
// data of unknown age, "not measured"), and every target chosen carries
// the loss a move there means (ServicePlan.ExpectedLoss, from the
// target's data age). With service.rpo set, a candidate that passes the
// health rule is then rejected when its data is not fresh, is older than
// the RPO or is of unknown age, the age in the reason; the health rule
// comes first, so a provider that fails it keeps its health reason. The
// rule is per service, unlike the health rule's verdict, which is worked
// out once per provider. It applies to a named target and to failback's
// preferred provider too (replication back to it must have caught up).
//
//   - AcceptDataLoss, on a manual failover or a failback, lets a
//     candidate that fails only the data rule pass at the tier its health
//     gives, with a warning; ServicePlan.AcceptedDataLoss names the loss
//     accepted. An automatic request never accepts it (ErrInvalidRequest),
//     and when the data rule is why it is blocked the reason names the
//     manual command that would move the service.
//   - A drill is never gated, only warned when its target's data would
//     fail the rule, and never fences or promotes: a rehearsal must not
//     touch the production database.
//   - Any other move fences each data block that has a fence (postgres by
//     default, or a fence command) at the provider left, then promotes
//     each that has a promotion at the target, blocks by name, after the
//     Terraform steps and before wait-healthy.
//
// A plan that moves nothing is either settled (Result.Settled: the request
// is already carried out) or not (a service blocked, or staying on a
// provider that is not healthy).
package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Defaults used when the configuration leaves a value empty: the config
// loader's own, applied again only to keep hand-built configs safe.
const (
	defaultTTL           = config.DefaultTTL
	defaultAddressOutput = config.DefaultAddressOutput
	defaultWorkspace     = config.DefaultWorkspace
)

// Plan computes the plan for in. It returns an error only when the request
// cannot be planned at all (unknown names, contradictory request); a plan
// that cannot be carried out is a Result that says why.
func Plan(in Input) (Result, error) {
	p, err := newPlanner(in)
	if err != nil {
		return Result{}, err
	}
	return p.plan(), nil
}

// planner holds the indexes built once per Plan call, so per-service work
// is proportional to the service's own candidates and DNS providers.
type planner struct {
	in        Input
	req       Request
	cfg       *config.Config
	providers map[string]*config.Provider
	dns       map[string]*config.DNSProvider
	dnsNames  []string // every dns block, sorted: a service's default set
	notify    []string // every notify block, sorted
	// notifyReason is the same for every service.
	notifyReason string

	// lost are the providers being left; lostVendor maps each vendor with
	// a provider observed lost or being left to why, for the blast-radius
	// rule (see decideLostVendors).
	lost       map[string]bool
	lostVendor map[string]vendorLoss
	lostList   []LostProvider

	// What does not depend on the service, worked out once.
	infos      map[string]*provInfo
	sortedProv []string
	dnsJudged  map[string]dnsJudgement
	defaultDNS *dnsSet // the DNS choice of a service without a dns list
	outputWhy  map[string]string
	// scratch and scratchJudged hold one service's candidates while its
	// target is chosen.
	scratch       []*provInfo
	scratchJudged []judgement
	candidates    slab[Candidate]
	candData      slab[CandidateData]
	steps         slab[Step]
}

func newPlanner(in Input) (*planner, error) {
	cfg := in.Config
	if cfg == nil {
		return nil, fmt.Errorf("%w: no configuration", ErrInvalidInput)
	}
	p := &planner{
		in:         in,
		req:        in.Request,
		cfg:        cfg,
		providers:  make(map[string]*config.Provider, len(cfg.Providers)),
		dns:        make(map[string]*config.DNSProvider, len(cfg.DNS)),
		lost:       map[string]bool{},
		lostVendor: map[string]vendorLoss{},
		infos:      make(map[string]*provInfo, len(cfg.Providers)),
		dnsJudged:  map[string]dnsJudgement{},
		outputWhy:  map[string]string{},
		candidates: slab[Candidate]{chunk: 1024},
		candData:   slab[CandidateData]{chunk: 256},
		steps:      slab[Step]{chunk: 7 * 64},
	}
	for _, pr := range cfg.Providers {
		if pr != nil {
			p.providers[pr.Name] = pr
		}
	}
	for _, d := range cfg.DNS {
		if d != nil {
			p.dns[d.Name] = d
			p.dnsNames = append(p.dnsNames, d.Name)
		}
	}
	slices.Sort(p.dnsNames)
	for _, n := range cfg.Notify {
		if n != nil {
			p.notify = append(p.notify, n.Name)
		}
	}
	slices.Sort(p.notify)
	p.notifyReason = notifyReason(p.notify)
	if err := p.validate(); err != nil {
		return nil, err
	}
	p.indexProviders()
	return p, nil
}

func (p *planner) validate() error {
	r := p.req
	switch r.Kind {
	case KindAutomatic, KindManual, KindFailback, KindDrill:
	default:
		return fmt.Errorf("%w: kind %q is not one of automatic, manual, failback, drill", ErrInvalidRequest, r.Kind)
	}
	if r.Service != "" && p.cfg.Service(r.Service) == nil {
		var names []string
		for _, sv := range p.cfg.Services {
			names = append(names, sv.Name)
		}
		return fmt.Errorf("%w: %q is not a service in the configuration%s", ErrUnknownService, r.Service, didYouMean(r.Service, names))
	}
	for _, name := range []string{r.From, r.To} {
		if name != "" && p.providers[name] == nil {
			var names []string
			for _, pr := range p.cfg.Providers {
				names = append(names, pr.Name)
			}
			return fmt.Errorf("%w: %q is not a provider in the configuration%s", ErrUnknownProvider, name, didYouMean(name, names))
		}
	}
	switch {
	case r.To != "" && r.To == r.From:
		return fmt.Errorf("%w: from and to are both %q", ErrInvalidRequest, r.To)
	case r.Kind == KindAutomatic && r.To != "":
		return fmt.Errorf("%w: an automatic failover chooses its own target; to is for manual failovers and drills", ErrInvalidRequest)
	case r.Kind == KindFailback && r.To != "":
		return fmt.Errorf("%w: failback returns each service to its first candidate; to is not accepted", ErrInvalidRequest)
	case r.Kind == KindDrill && r.Service == "":
		return fmt.Errorf("%w: a drill names the service it rehearses", ErrInvalidRequest)
	case r.Kind == KindAutomatic && r.AcceptDataLoss:
		return fmt.Errorf("%w: an automatic failover never accepts data loss; accept_data_loss is for manual failovers and failbacks", ErrInvalidRequest)
	}
	return nil
}

// observe returns what health saw of a hosting provider, unknown if nothing.
func (p *planner) observe(name string) Observation { return normalise(p.in.Providers[name]) }

func (p *planner) observeDNS(name string) Observation { return normalise(p.in.DNS[name]) }

func normalise(o Observation) Observation {
	switch o.State {
	case StateHealthy, StateDegraded, StateDown, StateAccountLost:
	default:
		o.State = StateUnknown
	}
	return o
}

// placement returns where s runs now; assumed is set when no placement is
// recorded and the first candidate is taken instead.
func (p *planner) placement(s *config.Service) (name string, assumed bool) {
	if pl := p.in.Placement[s.Name]; pl != "" {
		return pl, false
	}
	if len(s.Candidates) > 0 {
		return s.Candidates[0], true
	}
	return "", true
}

// sortedServices returns the services the request is about, by name.
func (p *planner) sortedServices() []*config.Service {
	var out []*config.Service
	for _, s := range p.cfg.Services {
		if s != nil && (p.req.Service == "" || s.Name == p.req.Service) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *config.Service) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// sortedProviders returns every configured provider name, sorted. The
// slice is shared: do not modify it.
func (p *planner) sortedProviders() []string {
	if p.sortedProv == nil {
		p.sortedProv = make([]string, 0, len(p.providers))
		for n := range p.providers {
			p.sortedProv = append(p.sortedProv, n)
		}
		slices.Sort(p.sortedProv)
	}
	return p.sortedProv
}

func (p *planner) plan() Result {
	services := p.sortedServices()
	res := Result{Request: p.req, Lost: []LostProvider{}, Services: make([]ServicePlan, 0, len(services))}
	res.Notes = p.decideLost(services)
	res.Lost = append(res.Lost, p.lostList...)
	for _, s := range services {
		if p.req.ZonesOnly {
			res.Unaffected++
			continue
		}
		sp, listed := p.planService(s)
		if !listed {
			res.Unaffected++
			continue
		}
		res.Services = append(res.Services, sp)
	}
	res.Zones = p.planZones(services, res.Moves() > 0)
	if len(res.Zones) == 0 {
		res.Notes = p.idleNotes(res.Notes)
	}
	res.Notes = append(res.Notes, p.unregisteredNotes(res.Moves() > 0)...)
	return res
}

// planService plans one service. listed is false for a service the request
// does not touch and does not name.
func (p *planner) planService(s *config.Service) (ServicePlan, bool) {
	from, assumed := p.placement(s)
	sp := ServicePlan{Service: s.Name, From: from}
	if assumed && from != "" {
		sp.Warnings = append(sp.Warnings, fmt.Sprintf("no placement recorded for %s; assumed to run on its first candidate, %s", s.Name, from))
	}
	named := p.req.Service == s.Name
	if p.req.Kind == KindFailback {
		return p.planFailback(s, sp, named)
	}
	if !p.lost[from] {
		if !named {
			return sp, false
		}
		p.stay(&sp)
		return sp, true
	}
	if p.req.To != "" && p.req.To == from {
		// The request's target is the provider being left.
		sp.Action = ActionBlocked
		sp.Reason = fmt.Sprintf("%s already runs on %s, the requested target, which is being left (%s): name another target, or none",
			s.Name, from, stateReason(p.observe(from)))
		return sp, true
	}
	p.chooseTarget(s, &sp)
	p.describeData(s, &sp)
	if sp.To != "" {
		p.addSteps(s, &sp)
	}
	return sp, true
}

// planFailback plans the return of s to its first candidate.
func (p *planner) planFailback(s *config.Service, sp ServicePlan, named bool) (ServicePlan, bool) {
	from := sp.From
	if len(s.Candidates) == 0 {
		if !named {
			return sp, false
		}
		sp.Action, sp.Reason = ActionBlocked, s.Name+" has no candidates"
		return sp, true
	}
	pref := s.Candidates[0]
	if from == pref || (p.req.From != "" && from != p.req.From) {
		if !named {
			return sp, false
		}
		sp.Action = ActionStay
		o := p.observe(from)
		if from == pref {
			sp.Reason = fmt.Sprintf("%s already runs on its preferred provider, %s, which is %s", s.Name, pref, stateReason(o))
		} else {
			sp.Reason = fmt.Sprintf("%s runs on %s, not on %s (the request's from)", s.Name, from, p.req.From)
		}
		sp.Settled = o.State == StateHealthy
		return sp, true
	}
	dataOnly := false
	for i, name := range s.Candidates {
		pi := p.info(name)
		c := pi.cand
		switch {
		case i == 0:
			j := p.judgeFor(s, pi, from, false)
			c.Reason = j.reason
			if j.tier == tierReady {
				c.Verdict, sp.To = VerdictChosen, name
				sp.Warnings = append(sp.Warnings, j.warnings...)
				sp.AcceptedDataLoss = j.acceptedLoss
			} else {
				c.Verdict = VerdictRejected
				dataOnly = j.dataOnly
			}
		case name == from:
			c.Verdict, c.Reason = VerdictSkipped, "current placement, being left"
		default:
			c.Verdict, c.Reason = VerdictSkipped, "failback returns only to the preferred provider"
		}
		sp.Candidates = append(sp.Candidates, c)
	}
	p.describeData(s, &sp)
	if sp.To == "" {
		sp.Action = ActionBlocked
		sp.Reason = fmt.Sprintf("failback waits: the preferred provider %s is not ready (%s)", pref, sp.Candidates[0].Reason)
		if dataOnly {
			sp.Reason += ": replication back to it must catch up first, or --accept-data-loss allows it"
		}
		return sp, true
	}
	sp.Reason = fmt.Sprintf("failback to %s, the first candidate of %s, which is ready", pref, s.Name)
	p.addSteps(s, &sp)
	return sp, true
}
