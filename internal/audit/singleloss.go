package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// loss is one simulated loss: a provider, a vendor or a jurisdiction, and
// the providers and dns blocks that go with it.
type loss struct {
	kind, name string
	providers  []string // sorted
	dns        []string // sorted
}

func (l loss) label() string { return l.kind + " " + l.name }

// key identifies what is lost, whatever the loss is called.
func (l loss) key() string {
	return strings.Join(l.providers, ",") + "|" + strings.Join(l.dns, ",")
}

// losses lists every single provider, vendor and jurisdiction, narrowest
// first, so the narrowest name of a lost set is the one kept. A vendor or
// jurisdiction without a hosting provider is left out: an automatic plan
// moves nothing when no host is lost.
func (a *auditor) losses() []loss {
	var out []loss
	for _, p := range a.providers {
		// The planner gives up the DNS at a lost provider's vendor (the
		// company that took one account can take the others), so those
		// blocks are part of the provider's loss.
		l := loss{kind: "provider", name: p.Name, providers: []string{p.Name}}
		for _, d := range a.dns {
			if d.VendorName() == p.VendorName() {
				l.dns = append(l.dns, d.Name)
			}
		}
		out = append(out, l)
	}
	group := func(kind string, of func(vendor, jurisdiction string) string) {
		byName := map[string]*loss{}
		var names []string
		for _, p := range a.providers {
			if n := of(p.VendorName(), p.Jurisdiction); n != "" {
				if byName[n] == nil {
					byName[n] = &loss{kind: kind, name: n}
					names = append(names, n)
				}
				byName[n].providers = append(byName[n].providers, p.Name)
			}
		}
		for _, d := range a.dns {
			if l := byName[of(d.VendorName(), d.Jurisdiction)]; l != nil {
				l.dns = append(l.dns, d.Name)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, *byName[n])
		}
	}
	group("vendor", func(v, _ string) string { return v })
	group("jurisdiction", func(_, j string) string { return j })
	return out
}

// singleLoss asks the planner about each loss and reports every service
// it leaves blocked: one finding per service and lost set.
func singleLoss(a *auditor) []Finding {
	var out []Finding
	type seen struct {
		index   int      // into out
		aliases []string // the wider names of the same loss
	}
	found := map[string]*seen{}
	for _, l := range a.losses() {
		lostP, lostD := set(l.providers), set(l.dns)
		res, err := a.simulate(lostP, lostD, "simulated loss of "+l.label())
		if err != nil {
			a.unchecked = append(a.unchecked, Unchecked{Check: CheckSingleLoss, Subject: l.label(), Reason: err.Error()})
			continue
		}
		for _, sp := range res.Services {
			if sp.Action != planner.ActionBlocked {
				continue
			}
			k := sp.Service + "\x00" + l.key()
			if s := found[k]; s != nil {
				s.aliases = append(s.aliases, l.label())
				continue
			}
			found[k] = &seen{index: len(out)}
			out = append(out, lossFinding(l, sp))
		}
	}
	for _, s := range found {
		for _, alias := range s.aliases {
			f := &out[s.index]
			f.Evidence = append(f.Evidence, "this is also the loss of "+alias)
		}
	}
	return out
}

func lossFinding(l loss, sp planner.ServicePlan) Finding {
	lost := fmt.Sprintf("lost: providers %s; dns blocks: %s", orNone(l.providers), orNone(l.dns))
	switch {
	case l.kind == "provider" && len(l.dns) == 0:
		lost = "lost: provider " + l.name
	case l.kind == "provider":
		lost = fmt.Sprintf("lost: provider %s; dns blocks at its vendor, which the planner gives up with it: %s", l.name, orNone(l.dns))
	}
	ev := []string{
		lost,
		"plan for " + sp.Service + " (on " + sp.From + "): blocked: " + sp.Reason,
	}
	for _, c := range sp.Candidates {
		ev = append(ev, fmt.Sprintf("candidate %s (vendor %s): %s: %s", c.Provider, c.Vendor, c.Verdict, c.Reason))
	}
	var fix string
	switch {
	case sp.To == "":
		fix = fmt.Sprintf("add a provider at another vendor and jurisdiction than %s to service %q candidates (service.candidates)", l.name, sp.Service)
	case strings.Contains(sp.Reason, "no check block"):
		fix = fmt.Sprintf("add a check block to service %q: lifeboat never points DNS at a target it cannot check", sp.Service)
	case strings.Contains(sp.Reason, "DNS cutover is impossible"):
		fix = fmt.Sprintf("add a dns block for the zone at a vendor and jurisdiction other than %s, and list it in service %q dns (service.dns)", l.name, sp.Service)
	default:
		fix = fmt.Sprintf("give %s a terraform block or addresses (provider.terraform, provider.addresses), or change service %q candidates (service.candidates)", sp.To, sp.Service)
	}
	return Finding{
		ID:       id(CheckSingleLoss, l.kind, l.name, sp.Service),
		Check:    CheckSingleLoss,
		Severity: Critical,
		Title:    fmt.Sprintf("%s cannot fail over if %s is lost", sp.Service, l.label()),
		Evidence: ev,
		Fix:      fix,
	}
}

func set(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
