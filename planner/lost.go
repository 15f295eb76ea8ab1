package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// markLost records name as a provider being left.
func (p *planner) markLost(name string, simulated bool, reason string) {
	if name == "" || p.lost[name] {
		return
	}
	p.lost[name] = true
	o := p.observe(name)
	lp := LostProvider{Name: name, State: o.State, Simulated: simulated, Reason: reason}
	if pr := p.providers[name]; pr != nil {
		lp.Vendor = pr.VendorName()
	}
	p.lostList = append(p.lostList, lp)
}

func stateReason(o Observation) string {
	if o.Reason == "" {
		return string(o.State)
	}
	return string(o.State) + " (" + o.Reason + ")"
}

// decideLost fills the lost set from the request, and returns plan-wide notes.
//
// Only From names a provider to leave. Service narrows which services are
// considered and never marks a provider lost by itself: a manual request
// for one service leaves its placement only when that is observed down or
// account_lost, as a request without flags would.
func (p *planner) decideLost(services []*config.Service) []string {
	var notes []string
	r := p.req
	markObserved := func(in func(string) bool) {
		for _, name := range p.sortedProviders() {
			if o := p.observe(name); o.State.lost() && in(name) {
				p.markLost(name, false, "observed "+stateReason(o))
			}
		}
	}
	anyProvider := func(string) bool { return true }
	switch r.Kind {
	case KindAutomatic:
		if r.From != "" {
			if o := p.observe(r.From); o.State.lost() {
				p.markLost(r.From, false, "observed "+stateReason(o))
			} else {
				notes = append(notes, fmt.Sprintf("%s is %s: an automatic failover only moves away from a provider that is down or account_lost", r.From, stateReason(o)))
			}
		} else {
			markObserved(anyProvider)
		}
		notes = append(notes, p.degradedNotes(services)...)
		if !p.cfg.Policy.AutoFailover {
			notes = append(notes, "policy.auto_failover is off: the daemon will not carry out this plan by itself")
		}
	case KindManual:
		switch {
		case r.From != "":
			o := p.observe(r.From)
			if o.State.lost() {
				p.markLost(r.From, false, "named by the request; observed "+stateReason(o))
			} else {
				p.markLost(r.From, false, "named by the request although observed "+stateReason(o))
			}
		case r.Service != "":
			from, _ := p.placement(services[0])
			markObserved(func(name string) bool { return name == from })
		default:
			markObserved(anyProvider)
		}
	case KindFailback:
		notes = append(notes, "failback is never automatic: it returns services to their first candidate only when asked")
	case KindDrill:
		from, _ := p.placement(services[0])
		o := p.observe(from)
		p.markLost(from, true, fmt.Sprintf("drill: the loss of %s is simulated; it is observed %s", from, stateReason(o)))
	}
	slices.SortFunc(p.lostList, func(a, b LostProvider) int { return strings.Compare(a.Name, b.Name) })
	p.decideLostVendors()
	return notes
}

// idleNotes add to notes why a plan that leaves no provider does nothing.
// The planner asks only once it knows no zone is to be re-delegated: such
// a plan does have something to do.
func (p *planner) idleNotes(notes []string) []string {
	r := p.req
	switch {
	case len(p.lostList) > 0:
	case r.Kind == KindManual && r.From == "" && r.Service == "":
		notes = append(notes, noteNoneLostManual)
	// lostVendor is empty only when no provider is observed lost either;
	// otherwise a service the request names says why it stays.
	case len(p.lostVendor) == 0 && r.Kind != KindFailback && len(notes) == 0:
		notes = append(notes, noteNoneLost)
	}
	return notes
}

// The notes of a plan that finds no hosting provider lost.
const (
	noteNoneLostManual = "no provider is down or account_lost; name a provider (from) to move away from a provider that still answers"
	noteNoneLost       = "no provider is down or account_lost: nothing to do"
)

// vendorLoss says why a vendor counts as lost.
type vendorLoss struct {
	provider string // the provider that makes it so
	reason   string // "vendor acme: alpha is observed account_lost (...)"
}

// decideLostVendors marks the vendor of every provider observed down or
// account_lost, whatever the request, then that of every provider being
// left. A vendor that took one account can take the others: its other
// providers are not candidates and its DNS is not written. The observation
// comes first as the stronger evidence; within each, the first by name.
func (p *planner) decideLostVendors() {
	for _, name := range p.sortedProviders() {
		o := p.observe(name)
		if !o.State.lost() {
			continue
		}
		v := p.providers[name].VendorName()
		if _, ok := p.lostVendor[v]; !ok {
			p.lostVendor[v] = vendorLoss{provider: name, reason: "vendor " + v + ": " + name + " is observed " + stateReason(o)}
		}
	}
	for _, lp := range p.lostList {
		if _, ok := p.lostVendor[lp.Vendor]; ok || lp.Vendor == "" {
			continue
		}
		why := " is being left"
		if lp.Simulated {
			why = " is being left (its loss simulated by the drill)"
		}
		p.lostVendor[lp.Vendor] = vendorLoss{provider: lp.Name, reason: "vendor " + lp.Vendor + ": " + lp.Name + why}
	}
}

// degradedNotes explains, for an automatic plan, why services on a degraded
// provider stay where they are.
func (p *planner) degradedNotes(services []*config.Service) []string {
	count := map[string]int{}
	for _, s := range services {
		from, _ := p.placement(s)
		if p.observe(from).State == StateDegraded {
			count[from]++
		}
	}
	var notes []string
	for _, name := range p.sortedProviders() {
		if n := count[name]; n > 0 {
			notes = append(notes, fmt.Sprintf("%s is %s: automatic failover waits until it is down or account_lost; %d service(s) on it stay",
				name, stateReason(p.observe(name)), n))
		}
	}
	return notes
}
