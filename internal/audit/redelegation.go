package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// redelegation finds a zone served at several DNS vendors that cannot be
// moved off a lost one: no registrar block, or dns blocks without the
// ns_names a re-delegation writes; and a registrar at the vendor a service
// runs on, whose one decision takes the host and the power to move the
// zone away from it.
func redelegation(a *auditor) []Finding {
	var zones []string
	blocks := map[string][]string{} // zone -> dns blocks
	vendors := map[string][]string{}
	unnamed := map[string][]string{} // zone -> dns blocks without ns_names
	for _, d := range a.dns {
		if _, ok := blocks[d.Zone]; !ok {
			zones = append(zones, d.Zone)
		}
		blocks[d.Zone] = append(blocks[d.Zone], d.Name)
		if v := d.VendorName(); !slices.Contains(vendors[d.Zone], v) {
			vendors[d.Zone] = append(vendors[d.Zone], v)
		}
		if len(d.NSNames) == 0 {
			unnamed[d.Zone] = append(unnamed[d.Zone], d.Name)
		}
	}
	slices.Sort(zones)
	var out []Finding
	for _, z := range zones {
		g := a.cfg.Registrar(z)
		switch {
		case len(vendors[z]) < 2:
			// One vendor: zoneFate already says so; nowhere to move to.
		case g == nil:
			out = append(out, Finding{
				ID: id("redelegation", zoneName(z)), Check: CheckSharedFate, Severity: Medium,
				Title:    fmt.Sprintf("zone %s is served at %d DNS vendors but has no registrar block: a lost one stays in the delegation", z, len(vendors[z])),
				Evidence: []string{fmt.Sprintf("dns blocks of %s: %s; vendors %s", z, strings.Join(blocks[z], ", "), strings.Join(vendors[z], ", "))},
				Fix:      fmt.Sprintf("add a registrar block for zone %s (registrar.zone) and ns_names to each of its dns blocks, so that the plan re-delegates the zone away from a lost DNS provider", z),
			})
		case len(unnamed[z]) > 0:
			out = append(out, Finding{
				ID: id("redelegation-ns", zoneName(z)), Check: CheckSharedFate, Severity: Medium,
				Title:    fmt.Sprintf("zone %s can never be delegated to %s: no ns_names", z, strings.Join(unnamed[z], ", ")),
				Evidence: []string{fmt.Sprintf("registrar %s changes the delegation of %s; dns %s list no ns_names", g.Name, z, strings.Join(unnamed[z], ", "))},
				Fix:      "set dns.ns_names to the nameserver host names the parent should delegate to for each of them",
			})
		}
		if g != nil {
			out = append(out, a.registrarFate(g.Name, g.Vendor, z)...)
		}
	}
	return out
}

// registrarFate reports each service whose primary runs at the vendor of
// zone z's registrar.
func (a *auditor) registrarFate(name, vendor, z string) []Finding {
	if vendor == "" {
		return nil
	}
	var out []Finding
	for _, s := range a.services {
		p := a.cfg.Provider(a.primary(s))
		if p == nil || p.VendorName() != vendor || !a.writesZone(s, z) {
			continue
		}
		out = append(out, Finding{
			ID: id(CheckSharedFate, "registrar", name, s.Name), Check: CheckSharedFate, Severity: High,
			Title:    fmt.Sprintf("the registrar of zone %s is at %s, where %s runs", z, vendor, s.Name),
			Evidence: []string{fmt.Sprintf("registrar %s: vendor %s; %s runs on %s (vendor %s)", name, vendor, s.Name, p.Name, vendor)},
			Fix:      fmt.Sprintf("move the domain of zone %s to a registrar at another vendor (registrar.vendor), so that losing %s does not lose the power to move the zone", z, vendor),
		})
	}
	return out
}

// writesZone reports whether service s has records in zone z.
func (a *auditor) writesZone(s *config.Service, z string) bool {
	for _, d := range a.serviceDNS(s) {
		if d.Zone == z {
			return true
		}
	}
	return false
}
