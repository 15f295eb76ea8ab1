package config

import (
	"slices"
	"strconv"
	"strings"
)

// checkDrillRecord refuses a canary drill record that could be production:
// the apex, a name written absolutely, or any service's record in a zone
// the drill's service writes. A drill writes and then deletes its record,
// so it must be a name of its own.
func (b *blk) checkDrillRecord(d *Drill, cfg *Config) {
	s := cfg.Service(d.Service)
	if s == nil {
		return
	}
	rec, field := d.Record, "record"
	if b.written(field) && strings.TrimSpace(rec) == "" {
		return // already reported: must not be empty
	}
	if !b.written(field) {
		if d.Mode != DrillCanary {
			return
		}
		// The default is derived from the service's records: check it too.
		rec = drillRecord(s.Records)
	}
	name := normalRecord(rec)
	switch {
	case name == "@":
		b.errf(field, "%s is the zone's apex: a drill writes and then deletes its record, so it must be a name of its own, such as \"drill-www\"", b.qname(field, rec))
		return
	case strings.ContainsAny(name, "@*") || strings.HasPrefix(name, "_lifeboat"):
		b.errf(field, "%s must be a plain name relative to the zone (no \"@\", \"*\" or \"_lifeboat\" prefix)", b.qname(field, rec))
		return
	}
	zones := serviceZones(s, cfg)
	for _, z := range zones {
		apex := strings.TrimSuffix(z, ".")
		if name == apex || strings.HasSuffix(name, "."+apex) {
			b.errf(field, "%s is written as an absolute name in zone %s: write it relative to the zone", b.qname(field, rec), z)
			return
		}
	}
	for _, other := range cfg.Services {
		if other != s && !sharesZone(zones, serviceZones(other, cfg)) {
			continue
		}
		for _, r := range other.Records {
			if normalRecord(r) == name {
				what := b.qname(field, rec)
				if !b.written(field) {
					// Derived from the service's records, which are not secret.
					what = "the default record " + strconv.Quote(rec)
				}
				b.errf(field, "%s is a record of service %q: a drill writes and then deletes its record, so it must never be a production record", what, other.Name)
				return
			}
		}
	}
}

// normalRecord is a record name as DNS compares it: lower case, no
// trailing dot, "@" for the apex.
func normalRecord(r string) string {
	r = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(r)), ".")
	if r == "" {
		return "@"
	}
	return r
}

// serviceZones are the zones (lower case, fully qualified) of the dns
// blocks the service writes.
func serviceZones(s *Service, cfg *Config) []string {
	var out []string
	for _, d := range cfg.DNS {
		if d.Zone != "" && s.UsesDNS(d.Name) {
			out = append(out, strings.ToLower(d.Zone))
		}
	}
	return out
}

func sharesZone(a, b []string) bool {
	for _, z := range a {
		if slices.Contains(b, z) {
			return true
		}
	}
	return false
}
