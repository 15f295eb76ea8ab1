package planner

import "github.com/lifeboat-dev/lifeboat/internal/config"

// provInfo is what the planner works out once per provider and plan. A
// thousand services with fifty candidates each then cost one map lookup per
// candidate, and no allocation for what does not depend on the service.
type provInfo struct {
	idx int
	pr  *config.Provider // nil for a name not in the configuration
	// cand is the candidate as listed: Provider, Vendor and State set.
	cand Candidate
	// j is the target rule's verdict when the request does not name it.
	j      judgement
	judged bool
	// viable caches viableReason by the chosen provider's idx (times two,
	// plus one when this one is only degraded).
	viable []string
	// workspace and prepareReason are shared by every move to it.
	workspace     *Workspace
	prepareReason string
}

// info returns the provInfo of name, making one for a name the
// configuration does not declare (a hand-built config may hold one).
func (p *planner) info(name string) *provInfo {
	if pi, ok := p.infos[name]; ok {
		return pi
	}
	pi := &provInfo{idx: len(p.infos), cand: Candidate{Provider: name, State: p.observe(name).State}}
	if pr := p.providers[name]; pr != nil {
		pi.pr = pr
		pi.cand.Vendor = pr.VendorName()
	}
	p.infos[name] = pi
	return pi
}

// indexProviders makes the provInfo of every configured provider at once.
func (p *planner) indexProviders() {
	all := make([]provInfo, 0, len(p.providers))
	for _, name := range p.sortedProviders() {
		pr := p.providers[name]
		all = append(all, provInfo{idx: len(all), pr: pr,
			cand: Candidate{Provider: name, Vendor: pr.VendorName(), State: p.observe(name).State}})
		p.infos[name] = &all[len(all)-1]
	}
}
