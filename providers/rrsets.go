package providers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/libdns/digitalocean"
	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// libdns promises that SetRecords makes each RRset (a name and a type)
// hold exactly the records given, and that DeleteRecords matches on the
// fields given. Providers whose APIs address single records do not all
// keep that promise; the wrappers here keep it for them, or refuse what
// their provider cannot do.

// rrKey is an RRset: a name relative to the zone ("@" the apex),
// lower-case, and a type, upper-case.
type rrKey struct{ name, typ string }

func keyOf(rr libdns.RR) rrKey {
	name := strings.ToLower(rr.Name)
	if name == "" {
		name = "@"
	}
	return rrKey{name, strings.ToUpper(rr.Type)}
}

// groupSets splits recs into RRsets, in the order first seen.
func groupSets(recs []libdns.Record) ([]rrKey, map[rrKey][]libdns.RR) {
	var order []rrKey
	sets := map[rrKey][]libdns.RR{}
	for _, r := range recs {
		rr := r.RR()
		k := keyOf(rr)
		if sets[k] == nil {
			order = append(order, k)
		}
		sets[k] = append(sets[k], rr)
	}
	return order, sets
}

// sameData compares record data: addresses as addresses, the rest as text.
func sameData(typ, a, b string) bool {
	if typ == "A" || typ == "AAAA" {
		return sameAddress(a, b)
	}
	return a == b
}

// matches reports whether have is one of the records rr names, libdns's
// way: an empty data (or TTL) field matches any.
func matches(have libdns.RR, rr libdns.RR) bool {
	k := keyOf(rr)
	return keyOf(have) == k && (rr.Data == "" || sameData(k.typ, have.Data, rr.Data)) &&
		(rr.TTL == 0 || have.TTL == rr.TTL)
}

// setChanges is how the records held of one RRset become the values
// wanted: pairs are {held index, wanted index}. A held record with a wanted
// value is kept; a wanted value not held reuses a held record no value
// wants, or else is added; the held records left over are deleted.
type setChanges struct {
	kept, reuse [][2]int
	add, del    []int
}

// diffSet is the one matching rule of the RRset writers here (Cloudflare's
// and the ID-addressed ones): data compared as sameData does.
func diffSet(typ string, have, want []string) setChanges {
	var c setChanges
	taken := make([]bool, len(have))
	var missing []int
	for j, w := range want {
		i := -1
		for k, h := range have {
			if !taken[k] && sameData(typ, h, w) {
				i = k
				break
			}
		}
		if i < 0 {
			missing = append(missing, j)
			continue
		}
		taken[i] = true
		c.kept = append(c.kept, [2]int{i, j})
	}
	var spare []int
	for k := range have {
		if !taken[k] {
			spare = append(spare, k)
		}
	}
	for _, j := range missing {
		if len(spare) == 0 {
			c.add = append(c.add, j)
			continue
		}
		c.reuse = append(c.reuse, [2]int{spare[0], j})
		spare = spare[1:]
	}
	c.del = spare
	return c
}

// idSets is a provider whose SetRecords and DeleteRecords act on records
// by the ID that its GetRecords returns (DigitalOcean): records lifeboat
// builds have none, so every update and delete failed. SetRecords here
// changes, adds and deletes single records until each RRset is exactly
// what was given (updates and additions first, deletions last, so a name
// never answers nothing); DeleteRecords finds the IDs of what it names.
type idSets struct {
	DNS
	// withID returns rr as the provider's record for the record have (one
	// of its GetRecords), so that writing it changes have in place.
	withID func(have libdns.Record, rr libdns.RR) (libdns.Record, error)
}

func digitaloceanSets(d DNS) DNS {
	return &idSets{DNS: d, withID: func(have libdns.Record, rr libdns.RR) (libdns.Record, error) {
		h, ok := have.(digitalocean.DNS)
		if !ok || h.ID == "" {
			return nil, fmt.Errorf("digitalocean: record %s %s came back without an ID", have.RR().Name, have.RR().Type)
		}
		return digitalocean.DNS{Record: rr, ID: h.ID}, nil
	}}
}

func (s *idSets) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	all, err := s.DNS.GetRecords(ctx, zone)
	if err != nil {
		return nil, err
	}
	order, sets := groupSets(recs)
	var update, add, del []libdns.Record
	for _, k := range order {
		var have []libdns.Record
		var data []string
		for _, h := range all {
			if keyOf(h.RR()) == k {
				have = append(have, h)
				data = append(data, h.RR().Data)
			}
		}
		want := sets[k]
		var wantData []string
		for _, rr := range want {
			wantData = append(wantData, rr.Data)
		}
		c := diffSet(k.typ, data, wantData)
		for _, p := range c.kept {
			if have[p[0]].RR().TTL == want[p[1]].TTL {
				continue
			}
			c.reuse = append(c.reuse, p) // the same value, another TTL: edited in place
		}
		for _, p := range c.reuse {
			r, err := s.withID(have[p[0]], want[p[1]])
			if err != nil {
				return nil, err
			}
			update = append(update, r)
		}
		for _, j := range c.add {
			add = append(add, want[j])
		}
		for _, i := range c.del {
			del = append(del, have[i])
		}
	}
	if len(update) > 0 {
		if _, err := s.DNS.SetRecords(ctx, zone, update); err != nil {
			return nil, err
		}
	}
	if len(add) > 0 {
		if _, err := s.DNS.AppendRecords(ctx, zone, add); err != nil {
			return nil, err
		}
	}
	if len(del) > 0 {
		if _, err := s.DNS.DeleteRecords(ctx, zone, del); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

func (s *idSets) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	all, err := s.DNS.GetRecords(ctx, zone)
	if err != nil {
		return nil, err
	}
	var del []libdns.Record
	for _, h := range all {
		for _, r := range recs {
			if matches(h.RR(), r.RR()) {
				del = append(del, h)
				break
			}
		}
	}
	if len(del) == 0 {
		return nil, nil
	}
	return s.DNS.DeleteRecords(ctx, zone, del)
}

// appendSets is a provider whose SetRecords adds the values given to an
// RRset and keeps the values it had (Gandi): after a cutover the old
// address still answered beside the new one. Here the values not given
// are deleted afterwards, one by one, which its DeleteRecords does
// without touching the rest of the set; the name never answers nothing.
type appendSets struct{ DNS }

func gandiSets(d DNS) DNS { return &appendSets{DNS: d} }

func (a *appendSets) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	all, err := a.DNS.GetRecords(ctx, zone)
	if err != nil {
		return nil, err
	}
	got, err := a.DNS.SetRecords(ctx, zone, recs)
	if err != nil {
		return nil, err
	}
	_, sets := groupSets(recs)
	var extra []libdns.Record
	for _, h := range all {
		rr := h.RR()
		want, ok := sets[keyOf(rr)]
		if !ok {
			continue
		}
		if !slices.ContainsFunc(want, func(w libdns.RR) bool { return sameData(keyOf(rr).typ, rr.Data, w.Data) }) {
			extra = append(extra, libdns.RR{Name: rr.Name, Type: rr.Type, Data: rr.Data})
		}
	}
	if len(extra) > 0 {
		if _, err := a.DNS.DeleteRecords(ctx, zone, extra); err != nil {
			return nil, err
		}
	}
	return got, nil
}

// ErrSeveralRecords is returned (wrapped) by a provider that cannot tell
// apart two records of one name and type. It is a dnswriter.ErrUnsupported:
// the write is not retried.
var ErrSeveralRecords = fmt.Errorf("%w: it cannot tell apart several records of one name and type", dnswriter.ErrUnsupported)

// oneRecordSets is a provider that finds the record to update or delete
// by name and type alone (Hetzner): with two addresses for www it would
// overwrite the one record twice, or delete the wrong one. It passes
// through what is safe (one record per name and type, given and held) and
// refuses the rest, saying so, before anything is written.
type oneRecordSets struct {
	DNS
	typ string
}

func hetznerSets(d DNS) DNS { return &oneRecordSets{DNS: d, typ: "hetzner"} }

func (o *oneRecordSets) refuse(k rrKey, why string) error {
	return fmt.Errorf("dns type %s: %s %s: %w (%s): its provider finds records by name and type only, "+
		"so it would overwrite or delete the wrong one; give the service one address, or use another DNS vendor for this zone",
		o.typ, k.name, k.typ, ErrSeveralRecords, why)
}

// held reads the zone: its records, and how many each RRset has.
func (o *oneRecordSets) held(ctx context.Context, zone string) ([]libdns.Record, map[rrKey]int, error) {
	all, err := o.DNS.GetRecords(ctx, zone)
	if err != nil {
		return nil, nil, err
	}
	n := map[rrKey]int{}
	for _, h := range all {
		n[keyOf(h.RR())]++
	}
	return all, n, nil
}

// check refuses when a set given, or the one held, has several records.
func (o *oneRecordSets) check(ctx context.Context, zone string, recs []libdns.Record) error {
	order, sets := groupSets(recs)
	for _, k := range order {
		if n := len(sets[k]); n > 1 {
			return o.refuse(k, fmt.Sprintf("%d records to write", n))
		}
	}
	_, held, err := o.held(ctx, zone)
	if err != nil {
		return err
	}
	for _, k := range order {
		if held[k] > 1 {
			return o.refuse(k, fmt.Sprintf("the zone holds %d", held[k]))
		}
	}
	return nil
}

func (o *oneRecordSets) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := o.check(ctx, zone, recs); err != nil {
		return nil, err
	}
	return o.DNS.SetRecords(ctx, zone, recs)
}

func (o *oneRecordSets) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	// An append makes a second record where one is held.
	order, sets := groupSets(recs)
	_, held, err := o.held(ctx, zone)
	if err != nil {
		return nil, err
	}
	for _, k := range order {
		if n := held[k] + len(sets[k]); n > 1 {
			return nil, o.refuse(k, fmt.Sprintf("%d records after the append", n))
		}
	}
	return o.DNS.AppendRecords(ctx, zone, recs)
}

func (o *oneRecordSets) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	all, held, err := o.held(ctx, zone)
	if err != nil {
		return nil, err
	}
	var del []libdns.Record
	for _, r := range recs {
		k := keyOf(r.RR())
		if held[k] > 1 {
			return nil, o.refuse(k, fmt.Sprintf("the zone holds %d", held[k]))
		}
		// Only what is there: its delete of a missing record is an error.
		for _, h := range all {
			if matches(h.RR(), r.RR()) {
				del = append(del, r)
				break
			}
		}
	}
	if len(del) == 0 {
		return nil, nil
	}
	return o.DNS.DeleteRecords(ctx, zone, del)
}
