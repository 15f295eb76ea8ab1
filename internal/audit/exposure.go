package audit

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// exposure finds a standby's address already published in a zone: it
// points attackers at the backup site before it is needed.
func exposure(a *auditor) []Finding {
	placed := map[string]bool{}
	for _, s := range a.services {
		placed[a.primary(s)] = true
	}
	var out []Finding
	for _, p := range a.providers {
		if placed[p.Name] {
			continue
		}
		addrs := map[string]bool{}
		for _, ad := range slices.Concat(p.Addresses, a.f.Addresses[p.Name]) {
			if k := addrKey(ad); k != "" {
				addrs[k] = true
			}
		}
		if len(addrs) == 0 {
			continue
		}
		for _, d := range a.dns {
			byID := map[string]int{} // finding ID -> index in out
			for _, r := range sortedRecords(a.f.Published[d.Name]) {
				if !addrs[addrKey(r.Value)] {
					continue
				}
				name := r.Name
				if name == "@" || name == "" {
					name = "apex"
				}
				fid := id(CheckExposure, d.Name, p.Name, name)
				line := fmt.Sprintf("%s %s %s at dns %s (zone %s) is an address of %s, where no service runs now", r.Name, r.Type, r.Value, d.Name, d.Zone, p.Name)
				if i, ok := byID[fid]; ok {
					out[i].Evidence = append(out[i].Evidence, line)
					continue
				}
				byID[fid] = len(out)
				out = append(out, Finding{
					ID: fid, Check: CheckExposure, Severity: High,
					Title:    fmt.Sprintf("standby %s's address is published as %s at dns %s", p.Name, r.Name, d.Name),
					Evidence: []string{line},
					Fix:      fmt.Sprintf("remove the record %s from dns %s: lifeboat publishes the standby's address only at the cutover", r.Name, d.Name),
				})
			}
		}
	}
	return out
}

// addrKey compares addresses: IPs in their canonical form, host names
// lowercase without the trailing dot.
func addrKey(s string) string {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().String()
	}
	return strings.ToLower(strings.TrimSuffix(s, "."))
}

func sortedRecords(rs []Record) []Record {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(x, y Record) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		if c := strings.Compare(x.Type, y.Type); c != 0 {
			return c
		}
		return strings.Compare(x.Value, y.Value)
	})
	return out
}
