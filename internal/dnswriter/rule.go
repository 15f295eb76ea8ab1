package dnswriter

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"
)

// rrset is the records of one name and type that one write touches.
type rrset struct {
	name, typ string
	data      []string // "" for a record without data (a whole-RRset delete)
	ttl       time.Duration
}

// groupSets groups recs by name and type, in a stable order.
func groupSets(recs []libdns.Record, zone string) []rrset {
	var out []rrset
	for _, r := range recs {
		rr := r.RR()
		name, typ := normName(rr.Name, zone), strings.ToUpper(rr.Type)
		i := slices.IndexFunc(out, func(s rrset) bool { return s.name == name && s.typ == typ })
		if i < 0 {
			out = append(out, rrset{name: name, typ: typ, ttl: rr.TTL})
			i = len(out) - 1
		}
		out[i].data = append(out[i].data, strings.TrimSpace(rr.Data))
	}
	slices.SortFunc(out, func(a, b rrset) int { return strings.Compare(a.name+" "+a.typ, b.name+" "+b.typ) })
	return out
}

// zone indexes a zone's records by name (relative, lower-case) and type.
type zone map[string]map[string][]string

func newZone(recs []libdns.Record, origin string) zone {
	z := zone{}
	for _, r := range recs {
		rr := r.RR()
		name, typ := normName(rr.Name, origin), strings.ToUpper(rr.Type)
		if z[name] == nil {
			z[name] = map[string][]string{}
		}
		d := strings.TrimSpace(rr.Data)
		if !slices.Contains(z[name][typ], d) {
			z[name][typ] = append(z[name][typ], d)
		}
	}
	return z
}

// marks lists the owners the ownership marks of name name.
func (z zone) marks(name string) []string {
	return ownersIn(z[OwnerName(name)]["TXT"])
}

func ownersIn(values []string) []string {
	var out []string
	for _, v := range values {
		if o, ok := ParseOwnership(v); ok && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func isAddress(typ string) bool { return typ == "A" || typ == "AAAA" || typ == "CNAME" }

// permit is the ownership rule, checked for every write at every provider
// whoever the caller: nil when owner may write (or delete, with del) the
// RRset s in z.
//
//   - The addresses (A, AAAA, CNAME) of a name are owner's as Claim says
//     (owner's mark, or no other owner's mark and no addresses), and an
//     RRset of them that does not exist may be created where no other
//     owner marks the name. The zone sync never writes the addresses of a
//     name another owner marks; others need Adopt to take over someone's.
//   - Any other RRset is owner's when the name carries owner's mark, or
//     when the RRset does not exist yet (creating one takes nothing from
//     anyone).
//   - A name's marks may gain values, but another owner's mark is removed
//     only with Adopt, and never by the zone sync.
//
// Without Adopt, a write to something that exists without owner's mark is
// refused.
func (z zone) permit(owner string, adopt bool, del bool, s rrset) error {
	refuse := func(why string) error {
		return fmt.Errorf("%s %s: %w: %s", s.name, s.typ, ErrNotOwned, why)
	}
	adoptOthers := adopt && owner != SyncOwner
	if marked, ok := IsMarkName(s.name); ok && s.typ == "TXT" {
		have := z[s.name]["TXT"]
		var gone []string // other owners' marks this write removes
		for _, o := range ownersIn(have) {
			if o == owner {
				continue
			}
			keep := !del && slices.ContainsFunc(ownersIn(s.data), func(n string) bool { return n == o })
			if del {
				keep = !slices.Contains(s.data, "") && !slices.ContainsFunc(s.data, func(d string) bool {
					p, ok := ParseOwnership(d)
					return ok && p == o
				})
			}
			if !keep {
				gone = append(gone, o)
			}
		}
		if len(gone) > 0 && !adoptOthers {
			return refuse(fmt.Sprintf("it would remove the mark of %q on %q", gone[0], marked))
		}
		return nil
	}
	marks := z.marks(s.name)
	ours := slices.Contains(marks, owner)
	if isAddress(s.typ) {
		others := slices.DeleteFunc(slices.Clone(marks), func(o string) bool { return o == owner })
		if owner == SyncOwner && len(others) > 0 {
			return refuse(fmt.Sprintf("the name is %s's, whose failovers write its addresses", others[0]))
		}
		if !del && len(z[s.name][s.typ]) == 0 && len(others) == 0 {
			return nil // a new RRset takes nothing from anyone (the sync's rule)
		}
		if err := z.claim(s.name, owner, false); err != nil && !adopt {
			return fmt.Errorf("%s %s: %w", s.name, s.typ, err)
		}
		return nil
	}
	if ours || len(z[s.name][s.typ]) == 0 || adopt {
		return nil
	}
	return refuse("it exists without an ownership record for " + owner)
}

// Claim is the ownership rule for a whole name, in one place: name
// (relative to zone, "@" for the apex) in a zone holding records is
// owner's to change when it carries owner's mark, or when it has neither
// another owner's mark nor address or CNAME records (with exclusive, no
// records at all: a drill's name must be one of its own). The error
// wraps ErrNotOwned; adopting is the caller's to consider.
func Claim(records []libdns.Record, zone, name, owner string, exclusive bool) error {
	return newZone(records, zone).claim(normName(name, zone), owner, exclusive)
}

func (z zone) claim(name, owner string, exclusive bool) error {
	marks := z.marks(name)
	if slices.Contains(marks, owner) {
		return nil
	}
	at := z[name]
	switch {
	case len(marks) > 0:
		return fmt.Errorf("%q: %w: marked for owner %q, not %q", name, ErrNotOwned, marks[0], owner)
	case len(at["A"])+len(at["AAAA"])+len(at["CNAME"]) > 0:
		return fmt.Errorf("%q: %w: it exists without an ownership record", name, ErrNotOwned)
	case exclusive && len(at) > 0:
		types := slices.Sorted(maps.Keys(at))
		return fmt.Errorf("%q: %w: it exists (%s) without an ownership record, and this name must be one of its own", name, ErrNotOwned, strings.Join(types, ", "))
	}
	return nil
}

// apply returns recs (a zone's) as they are after a write.
func apply(recs []libdns.Record, origin string, del bool, w []libdns.Record) []libdns.Record {
	sets := groupSets(w, origin)
	out := slices.DeleteFunc(slices.Clone(recs), func(r libdns.Record) bool {
		rr := r.RR()
		name, typ := normName(rr.Name, origin), strings.ToUpper(rr.Type)
		for _, s := range sets {
			if s.name != name || s.typ != typ {
				continue
			}
			if !del || slices.Contains(s.data, "") || slices.Contains(s.data, strings.TrimSpace(rr.Data)) {
				return true
			}
		}
		return false
	})
	if !del {
		out = append(out, w...)
	}
	return out
}

// confirm lists the RRsets ("www A") of writes that recs, the zone read
// back, does not reflect. Addresses are compared as addresses, with their
// TTL; ownership marks and other text as text; other types (whose data a
// provider may print its own way) by their number of values.
func confirm(recs []libdns.Record, origin string, writes []write) []string {
	z := newZone(recs, origin)
	ttls := map[string]time.Duration{}
	for _, r := range recs {
		rr := r.RR()
		k := normName(rr.Name, origin) + " " + strings.ToUpper(rr.Type)
		ttls[k] = max(ttls[k], rr.TTL)
	}
	// The last write of an RRset is the one that counts.
	final := map[string]struct {
		del bool
		s   rrset
	}{}
	var order []string
	for _, w := range writes {
		for _, s := range groupSets(w.recs, origin) {
			k := s.name + " " + s.typ
			if _, ok := final[k]; !ok {
				order = append(order, k)
			}
			final[k] = struct {
				del bool
				s   rrset
			}{w.del, s}
		}
	}
	var stale []string
	for _, k := range order {
		f := final[k]
		have := z[f.s.name][f.s.typ]
		ok := true
		switch {
		case f.del && slices.Contains(f.s.data, ""):
			ok = len(have) == 0
		case f.del:
			for _, d := range f.s.data {
				if comparable(f.s.typ) && slices.ContainsFunc(have, func(h string) bool { return sameValue(f.s.typ, h, d) }) {
					ok = false
				}
			}
		case !comparable(f.s.typ):
			ok = len(have) == len(f.s.data)
		default:
			ok = len(have) == len(f.s.data)
			for _, d := range f.s.data {
				if !slices.ContainsFunc(have, func(h string) bool { return sameValue(f.s.typ, h, d) }) {
					ok = false
				}
			}
			if (f.s.typ == "A" || f.s.typ == "AAAA") && ttls[k] != f.s.ttl && ttls[k] != AutoTTL {
				ok = false
			}
		}
		if !ok {
			stale = append(stale, k)
		}
	}
	slices.Sort(stale)
	return stale
}

// AutoTTL is the TTL Cloudflare reports for a record whose TTL it chooses
// itself ("automatic"), as it does for every proxied record whatever TTL
// was written: read back, it matches any TTL.
const AutoTTL = time.Second

func comparable(typ string) bool { return typ == "A" || typ == "AAAA" || typ == "TXT" }

func sameValue(typ, a, b string) bool {
	if typ == "TXT" {
		return strings.Trim(a, `"`) == strings.Trim(b, `"`)
	}
	x, errx := netip.ParseAddr(a)
	y, erry := netip.ParseAddr(b)
	return errx == nil && erry == nil && x.Unmap() == y.Unmap()
}
