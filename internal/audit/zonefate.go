package audit

import (
	"fmt"
	"slices"
	"strings"
)

// zoneFate finds a zone that one DNS vendor can take away, whatever the
// services: every dns block of it at one vendor, or its delegation naming
// only one vendor's nameservers.
func zoneFate(a *auditor) []Finding {
	var zones []string
	blocks := map[string][]string{}  // zone -> dns block names
	vendors := map[string][]string{} // zone -> distinct vendors
	for _, d := range a.dns {
		if _, ok := blocks[d.Zone]; !ok {
			zones = append(zones, d.Zone)
		}
		blocks[d.Zone] = append(blocks[d.Zone], fmt.Sprintf("dns %s: vendor %s", d.Name, d.VendorName()))
		if v := d.VendorName(); !slices.Contains(vendors[d.Zone], v) {
			vendors[d.Zone] = append(vendors[d.Zone], v)
		}
	}
	slices.Sort(zones)
	var out []Finding
	for _, z := range zones {
		if vs := vendors[z]; len(vs) == 1 {
			out = append(out, Finding{
				ID: id("dns-vendor", zoneName(z)), Check: CheckSharedFate, Severity: High,
				Title:    fmt.Sprintf("every DNS provider of zone %s is at %s", z, vs[0]),
				Evidence: blocks[z],
				Fix:      fmt.Sprintf("add a dns block for zone %s at another vendor (dns.vendor), and delegate the zone to both vendors' nameservers", z),
			})
		}
		if f, ok := a.delegation(z); ok {
			out = append(out, f)
		}
	}
	return out
}

// delegation reports zone z when its NS records name one vendor only.
func (a *auditor) delegation(z string) (Finding, bool) {
	hosts := a.f.Delegation[z]
	if len(hosts) == 0 {
		return Finding{}, false
	}
	// Known nameservers, the zone's own dns blocks first.
	type holder struct{ vendor, block string }
	known := map[string]holder{}
	for _, own := range []bool{true, false} {
		for _, d := range a.dns {
			if (d.Zone == z) != own {
				continue
			}
			for _, ns := range slices.Concat(d.NSNames, d.Nameservers) {
				if h := nsHost(ns); known[h].vendor == "" {
					known[h] = holder{d.VendorName(), d.Name}
				}
			}
		}
	}
	var vendors, ev []string
	sorted := slices.Clone(hosts)
	slices.Sort(sorted)
	for _, h := range slices.Compact(sorted) {
		host := nsHost(h)
		k, how := known[host], ""
		if k.vendor != "" {
			how = "vendor " + k.vendor + " (a nameserver of dns " + k.block + ")"
		} else {
			k.vendor = lastTwoLabels(host)
			how = k.vendor + " (no dns block lists it: taken by its domain)"
		}
		if !slices.Contains(vendors, k.vendor) {
			vendors = append(vendors, k.vendor)
		}
		ev = append(ev, fmt.Sprintf("NS %s: %s", host, how))
	}
	if len(vendors) != 1 {
		return Finding{}, false
	}
	return Finding{
		ID: id("delegation", zoneName(z)), Check: CheckSharedFate, Severity: High,
		Title:    fmt.Sprintf("zone %s is delegated to %s's nameservers only", z, vendors[0]),
		Evidence: ev,
		Fix:      fmt.Sprintf("delegate zone %s (its NS records at the parent) to the nameservers of a second DNS vendor too, and name them in that dns block (dns.ns_names)", z),
	}, true
}

// nsHost normalises a nameserver: lowercase, no port, no trailing dot.
func nsHost(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(s, "["):
		if end := strings.Index(s, "]"); end > 0 {
			s = s[1:end]
		}
	case strings.Count(s, ":") == 1:
		s, _, _ = strings.Cut(s, ":")
	}
	return strings.TrimSuffix(s, ".")
}

// lastTwoLabels names the vendor of an unknown nameserver by its domain:
// "ns1.desec.io" -> "desec.io".
func lastTwoLabels(host string) string {
	labels := strings.Split(host, ".")
	if len(labels) <= 2 {
		return host
	}
	return strings.Join(labels[len(labels)-2:], ".")
}
