package planner

import (
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// ZoneAction is what the plan does with one zone's delegation.
type ZoneAction string

const (
	// ZoneRedelegate: Steps set the zone's NS records at its registrar to
	// the surviving DNS providers' nameservers.
	ZoneRedelegate ZoneAction = "redelegate"
	// ZoneHeld: the zone should be re-delegated, but the plan is the
	// daemon's and policy.auto_redelegate is off: a person runs it.
	ZoneHeld ZoneAction = "held"
	// ZoneBlocked: a DNS provider of the zone is lost and no other can
	// take the delegation; Reason says why.
	ZoneBlocked ZoneAction = "blocked"
)

// StepRedelegate sets a zone's delegation at its registrar, after checking
// that every DNS provider it names answers for the zone with the current
// records.
const StepRedelegate StepKind = "redelegate"

// ZonePlan is the plan for one zone whose DNS provider is lost: where its
// parent should delegate it now.
type ZonePlan struct {
	Zone      string     `json:"zone"`
	Registrar string     `json:"registrar"`
	Action    ZoneAction `json:"action"`
	Reason    string     `json:"reason"`
	// Lost are the zone's DNS providers left out of the delegation, each
	// with why; Keep those delegated to.
	Lost     []DNSChoice `json:"lost"`
	Keep     []string    `json:"keep,omitempty"`
	Warnings []string    `json:"warnings,omitempty"`
	Steps    []Step      `json:"steps,omitempty"`
}

// Redelegations is the number of zones the plan re-delegates.
func (r Result) Redelegations() int { return r.countZones(ZoneRedelegate) }

func (r Result) countZones(a ZoneAction) int {
	n := 0
	for _, z := range r.Zones {
		if z.Action == a {
			n++
		}
	}
	return n
}

// Work is what the plan carries out: services moved and zones re-delegated.
func (r Result) Work() int { return r.Moves() + r.Redelegations() }

// planZones plans the delegation of every zone with a registrar that has
// a DNS provider the cutover leaves out (down, account_lost, or at a lost
// vendor). Failbacks and drills never re-delegate: a drill simulates a
// hosting provider's loss, not a DNS provider's. A request for one
// service looks only at the zones of its DNS providers.
//
// A DNS provider down only because its API does not answer (Serving) is
// left out of the delegation only when the plan moves a service: the
// cutover cannot write it, so it would serve the old addresses; otherwise
// it keeps serving what it holds, and a delegation is slow to move back.
func (p *planner) planZones(services []*config.Service, moves bool) []ZonePlan {
	if len(p.cfg.Registrars) == 0 || (p.req.Kind != KindAutomatic && p.req.Kind != KindManual) {
		return nil
	}
	var only map[string]bool
	if p.req.Service != "" {
		only = map[string]bool{}
		for _, s := range services {
			names := s.DNS
			if len(names) == 0 {
				names = p.dnsNames
			}
			for _, n := range names {
				if d := p.dns[n]; d != nil {
					only[d.Zone] = true
				}
			}
		}
	}
	var out []ZonePlan
	for _, g := range p.cfg.Registrars {
		if g == nil || (only != nil && !only[g.Zone]) {
			continue
		}
		if z, ok := p.planZone(g, moves); ok {
			out = append(out, z)
		}
	}
	slices.SortFunc(out, func(a, b ZonePlan) int { return strings.Compare(a.Zone, b.Zone) })
	return out
}

// unregisteredNotes says, for each zone without a registrar block whose
// DNS provider the cutover leaves out, that its delegation still names
// that provider: a person changes it at the registrar.
func (p *planner) unregisteredNotes(moves bool) []string {
	if p.req.Kind != KindAutomatic && p.req.Kind != KindManual {
		return nil
	}
	lost := map[string][]string{}
	kept := map[string]int{}
	var zones []string
	for _, name := range p.dnsNames {
		d := p.dns[name]
		if p.cfg.Registrar(d.Zone) != nil {
			continue
		}
		if ch := p.judgeDNS(name).choice; ch.Use || (!ch.LostVendor && p.observeDNS(name).Serving && !moves) {
			kept[d.Zone]++
			continue
		}
		if _, ok := lost[d.Zone]; !ok {
			zones = append(zones, d.Zone)
		}
		lost[d.Zone] = append(lost[d.Zone], name)
	}
	slices.Sort(zones)
	var notes []string
	for _, z := range zones {
		note := "zone " + z + " has no registrar block: its delegation still names " + strings.Join(lost[z], ", ")
		if kept[z] > 0 {
			note += "; change its NS records at the registrar by hand, to the other DNS providers' nameservers"
		} else {
			note += ", and no other DNS provider of the zone remains"
		}
		notes = append(notes, note)
	}
	return notes
}

// planZone plans one zone; ok is false when every DNS provider of it can
// stay in the delegation.
func (p *planner) planZone(g *config.Registrar, moves bool) (ZonePlan, bool) {
	z := ZonePlan{Zone: g.Zone, Registrar: g.Name, Lost: []DNSChoice{}}
	var keep []*config.DNSProvider
	for _, name := range p.dnsNames {
		d := p.dns[name]
		if d.Zone != g.Zone {
			continue
		}
		j := p.judgeDNS(name)
		if !j.choice.Use {
			if !j.choice.LostVendor && p.observeDNS(name).Serving && !moves {
				z.Warnings = append(z.Warnings, "dns "+name+" is "+j.choice.Reason+", but its nameservers still answer for "+g.Zone+
					": it stays in the delegation while no service moves")
			} else {
				z.Lost = append(z.Lost, j.choice)
				continue
			}
		}
		if len(d.NSNames) == 0 {
			z.Warnings = append(z.Warnings, "dns "+name+" has no ns_names: the zone cannot be delegated to it")
			continue
		}
		keep = append(keep, d)
	}
	if len(z.Lost) == 0 {
		return z, false
	}
	lost := make([]string, len(z.Lost))
	for i, l := range z.Lost {
		lost[i] = l.Name + " (" + l.Reason + ")"
	}
	why := "the zone's DNS provider(s) " + strings.Join(lost, ", ") + " can no longer serve it"
	if len(keep) == 0 {
		z.Action = ZoneBlocked
		z.Reason = why + "; but no other DNS provider of " + g.Zone + " with ns_names remains to delegate to"
		return z, true
	}
	var ns, dns []string
	for _, d := range keep {
		z.Keep = append(z.Keep, d.Name)
		dns = append(dns, d.Name)
		ns = append(ns, d.NSNames...)
	}
	slices.Sort(ns)
	ns = slices.Compact(ns)
	z.Reason = why + ": delegate " + g.Zone + " to " + strings.Join(z.Keep, ", ") + " only"
	if p.req.Kind == KindAutomatic && !p.cfg.Policy.AutoRedelegate {
		z.Action = ZoneHeld
		z.Reason += "; policy.auto_redelegate is off, so the daemon leaves it to a person (`lifeboat failover` runs it)"
		return z, true
	}
	z.Action = ZoneRedelegate
	z.Steps = []Step{{
		ID: StepID(g.Zone, g.Name, StepRedelegate), Kind: StepRedelegate, Provider: g.Name, Zone: g.Zone,
		DNS: dns, NS: ns, TimeoutSeconds: seconds(p.cfg.Policy.VerifyDNS),
		Reason: "check that " + strings.Join(dns, ", ") + " answer(s) for " + g.Zone + " with the current records, then set its NS records at registrar " +
			g.Name + " to " + strings.Join(ns, ", "),
	}}
	return z, true
}
