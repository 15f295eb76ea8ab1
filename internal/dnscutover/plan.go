package dnscutover

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// changes is what one attempt at one provider must write. Writes go in
// this order: ownership marks first (so a crash midway leaves a claim on a
// name, which the next run recognises as ours, rather than records nobody
// owns), then conflicting records out, then the new addresses, and stale
// address families last, so a name is never left without any address.
type changes struct {
	owners group // SetRecords: ownership TXT RRsets
	clear  group // DeleteRecords: CNAMEs in the way
	set    group // SetRecords: A and AAAA RRsets
	drop   group // DeleteRecords: whole A or AAAA RRsets
	unmark group // DeleteRecords: our ownership TXT (Release only)
}

// group is one write: its records and the RRsets it changes ("www A").
type group struct {
	recs  []libdns.Record
	names []string
}

func (g *group) add(name, typ string, recs ...libdns.Record) {
	g.recs = append(g.recs, recs...)
	g.names = append(g.names, name+" "+typ)
}

// changed lists every RRset the changes touch, sorted.
func (c changes) changed() []string {
	var out []string
	for _, g := range []group{c.owners, c.clear, c.set, c.drop, c.unmark} {
		out = append(out, g.names...)
	}
	slices.Sort(out)
	return out
}

// zoneView indexes a zone's records by lower-cased relative name and type.
type zoneView map[string]map[string][]libdns.RR

func newZoneView(records []libdns.Record) zoneView {
	v := zoneView{}
	for _, r := range records {
		rr := r.RR()
		name := strings.ToLower(rr.Name)
		if name == "" {
			name = "@"
		}
		typ := strings.ToUpper(rr.Type)
		if v[name] == nil {
			v[name] = map[string][]libdns.RR{}
		}
		// Some providers list a record twice (rfc2136's AXFR repeats the
		// SOA); keep one of each.
		if !slices.ContainsFunc(v[name][typ], func(o libdns.RR) bool { return o.Data == rr.Data }) {
			v[name][typ] = append(v[name][typ], rr)
		}
	}
	return v
}

// planRecord decides what makes record name (normalized) in the zone hold
// exactly req.Addresses, marked as req.Owner's. It returns an error
// wrapping ErrNotOwned when the record is not ours to change.
func planRecord(v zoneView, name string, req Request, c *changes) error {
	at := v[name]
	oname := ownerName(name)
	mark := ownershipText(req.Owner)
	ours, others, err := v.claim(name, req.Owner, req.Exclusive)
	switch {
	case err != nil && req.Exclusive:
		// A name of its own is never adopted: no hint to.
		return err
	case err != nil && !req.Adopt:
		return fmt.Errorf("%w (set adopt to take it over)", err)
	}

	if !ours || (len(others) > 0 && req.Adopt) {
		// SetRecords replaces the companion name's whole TXT set: an
		// adopted name keeps one mark, ours.
		c.owners.add(oname, typeTXT, libdns.TXT{Name: oname, TTL: req.TTL, Text: mark})
	}
	if len(at[typeCNAME]) > 0 {
		c.clear.add(name, typeCNAME, libdns.RR{Name: name, Type: typeCNAME})
	}
	for _, fam := range []string{typeA, typeAAAA} {
		var want []netip.Addr
		for _, a := range req.Addresses {
			if (fam == typeA) == a.Is4() {
				want = append(want, a)
			}
		}
		have := at[fam]
		switch {
		case len(want) == 0 && len(have) > 0:
			c.drop.add(name, fam, libdns.RR{Name: name, Type: fam})
		case len(want) > 0 && !sameAddresses(have, want, req.TTL):
			recs := make([]libdns.Record, 0, len(want))
			for _, a := range want {
				recs = append(recs, libdns.Address{Name: name, TTL: req.TTL, IP: a})
			}
			c.set.add(name, fam, recs...)
		}
	}
	return nil
}

// claim applies the ownership rule (dnswriter.Claim, the one the DNS
// writer enforces) to record name: whether owner's mark is there, which
// other owners mark it, and an error wrapping ErrNotOwned when the name is
// not owner's to change (Adopt, checked by the caller, may override it).
func (v zoneView) claim(name, owner string, exclusive bool) (ours bool, others []string, err error) {
	ours, others = v.owners(name, owner)
	return ours, others, dnswriter.Claim(v.records(), "", name, owner, exclusive)
}

// records lists the view's records again.
func (v zoneView) records() []libdns.Record {
	var out []libdns.Record
	for name, types := range v {
		for _, rrs := range types {
			for _, rr := range rrs {
				rr.Name = name
				out = append(out, rr)
			}
		}
	}
	return out
}

// owners reads the ownership marks of record name: whether owner's mark
// is there, and which other lifeboat owners have marks.
func (v zoneView) owners(name, owner string) (ours bool, others []string) {
	for _, t := range v[ownerName(name)][typeTXT] {
		if o, ok := parseOwnership(t.Data); ok {
			if o == owner {
				ours = true
			} else {
				others = append(others, o)
			}
		}
	}
	return ours, others
}

// planRelease decides what removes record name's addresses and our mark.
// Only a record marked as ours is touched; Adopt does not apply: lifeboat
// never deletes what it does not own.
func planRelease(v zoneView, name string, req Request, c *changes) error {
	at := v[name]
	ours, _ := v.owners(name, req.Owner)
	if !ours {
		if len(at[typeA])+len(at[typeAAAA])+len(at[typeCNAME]) > 0 {
			return fmt.Errorf("%q: %w: not deleting it", name, ErrNotOwned)
		}
		return nil
	}
	for _, fam := range []string{typeA, typeAAAA} {
		if len(at[fam]) > 0 {
			c.drop.add(name, fam, libdns.RR{Name: name, Type: fam})
		}
	}
	oname := ownerName(name)
	c.unmark.add(oname, typeTXT, libdns.TXT{Name: oname, Text: ownershipText(req.Owner)})
	return nil
}

// sameAddresses reports whether the RRset have holds exactly want (sorted,
// unique), each with the TTL ttl.
func sameAddresses(have []libdns.RR, want []netip.Addr, ttl time.Duration) bool {
	if len(have) != len(want) {
		return false
	}
	got := make([]netip.Addr, 0, len(have))
	for _, rr := range have {
		a, err := netip.ParseAddr(strings.TrimSpace(rr.Data))
		if err != nil || (rr.TTL != ttl && rr.TTL != dnswriter.AutoTTL) {
			return false
		}
		got = append(got, a.Unmap())
	}
	slices.SortFunc(got, netip.Addr.Compare)
	return slices.Equal(got, want)
}

// planZone plans every record of req against the zone's records. Records
// that are not ours are skipped and reported in errs; the rest are planned.
func planZone(records []libdns.Record, req Request) (c changes, errs []error) {
	return planEach(records, req, planRecord)
}

func planEach(records []libdns.Record, req Request, plan func(zoneView, string, Request, *changes) error) (c changes, errs []error) {
	v := newZoneView(records)
	for _, name := range req.Records {
		if err := plan(v, name, req, &c); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errs
}
