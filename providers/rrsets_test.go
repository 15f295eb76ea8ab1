package providers

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/digitalocean"
	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// idZone keeps DigitalOcean's contract, as libdns/digitalocean does: its
// records carry IDs (digitalocean.DNS); SetRecords and DeleteRecords take
// only records with an ID it holds, AppendRecords creates.
type idZone struct {
	mu   sync.Mutex
	recs []digitalocean.DNS
	next int
}

func (z *idZone) add(rr libdns.RR) {
	z.next++
	z.recs = append(z.recs, digitalocean.DNS{Record: rr, ID: strconv.Itoa(z.next)})
}

func (z *idZone) GetRecords(context.Context, string) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	var out []libdns.Record
	for _, r := range z.recs {
		out = append(out, r)
	}
	return out, nil
}

func (z *idZone) AppendRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		z.add(r.RR())
	}
	return recs, nil
}

// byID is the index of r's ID, or an error as the library's own.
func (z *idZone) byID(r libdns.Record) (int, error) {
	d, _ := r.(digitalocean.DNS)
	if _, err := strconv.Atoi(d.ID); err != nil {
		return 0, err
	}
	i := slices.IndexFunc(z.recs, func(h digitalocean.DNS) bool { return h.ID == d.ID })
	if i < 0 {
		return 0, fmt.Errorf("404 record %s not found", d.ID)
	}
	return i, nil
}

func (z *idZone) SetRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		i, err := z.byID(r)
		if err != nil {
			return nil, err
		}
		z.recs[i].Record = r.RR()
	}
	return recs, nil
}

func (z *idZone) DeleteRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		i, err := z.byID(r)
		if err != nil {
			return nil, err
		}
		z.recs = slices.Delete(z.recs, i, i+1)
	}
	return recs, nil
}

// data lists the data of name's records of typ, sorted, with their IDs.
func (z *idZone) data(name, typ string) (data, ids []string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range z.recs {
		if r.Record.Name == name && r.Record.Type == typ {
			data = append(data, r.Record.Data)
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(data)
	return data, ids
}

func startZone(t *testing.T) []libdns.RR {
	return []libdns.RR{
		{Name: "www", Type: "A", Data: "192.0.2.10", TTL: time.Minute},
		{Name: "_lifeboat.www", Type: "TXT", Data: "heritage=lifeboat,owner=lifeboat/www", TTL: time.Minute},
	}
}

func setRequest(ttl time.Duration, addrs ...string) dnscutover.Request {
	req := dnscutover.Request{Service: "www", Owner: "lifeboat/www", Records: []string{"www"}, TTL: ttl}
	for _, a := range addrs {
		req.Addresses = append(req.Addresses, netip.MustParseAddr(a))
	}
	return req
}

var setOpts = dnscutover.Options{VerifyTimeout: time.Second, PollInterval: 50 * time.Millisecond, QueryTimeout: 100 * time.Millisecond,
	Retry: dnswriter.Retry{Attempts: 2, InitialBackoff: 10 * time.Millisecond}}

// Address sets at a provider that addresses records by ID: grown, changed,
// shrunk, each cutover leaving exactly the new set; a TTL change edits the
// records in place (same IDs); a second run changes nothing. Without the
// wrapper the first cutover fails, as it did at DigitalOcean.
func TestIDAddressedSets(t *testing.T) {
	ctx := context.Background()
	raw := &idZone{}
	for _, rr := range startZone(t) {
		raw.add(rr)
	}
	bare := dnscutover.Target{Name: "do", Zone: "example.com.", Provider: Guard("do", "digitalocean", raw), Nameservers: []string{"127.0.0.1:9"}}
	if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{bare}, setRequest(time.Minute, "198.51.100.7"), setOpts)); r.Err == nil {
		t.Fatal("the bare provider took an update without a record ID: the fake does not keep DigitalOcean's contract")
	}

	z := &idZone{}
	for _, rr := range startZone(t) {
		z.add(rr)
	}
	tg := dnscutover.Target{Name: "do", Zone: "example.com.", Provider: Guard("do", "digitalocean", digitaloceanSets(z)), Nameservers: []string{"127.0.0.1:9"}}
	for _, set := range [][]string{
		{"198.51.100.7", "198.51.100.8"},
		{"198.51.100.8", "203.0.113.9", "203.0.113.10"},
		{"203.0.113.9"},
		{"203.0.113.9", "2001:db8::9"},
	} {
		req := setRequest(time.Minute, set...)
		if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, setOpts)); r.Err != nil {
			t.Fatalf("cutover to %v: %v", set, r.Err)
		}
		var v4, v6 []string
		for _, a := range set {
			if strings.Contains(a, ":") {
				v6 = append(v6, a)
			} else {
				v4 = append(v4, a)
			}
		}
		slices.Sort(v4)
		if got, _ := z.data("www", "A"); !slices.Equal(got, v4) {
			t.Fatalf("www A after the cutover to %v = %v", set, got)
		}
		if got, _ := z.data("www", "AAAA"); !slices.Equal(got, v6) {
			t.Fatalf("www AAAA after the cutover to %v = %v", set, got)
		}
		if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, setOpts)); r.Err != nil || len(r.Changed) != 0 {
			t.Errorf("second cutover to %v: changed %v, err %v", set, r.Changed, r.Err)
		}
	}
	_, before := z.data("www", "A")
	if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, setRequest(5*time.Second, "203.0.113.9", "2001:db8::9"), setOpts)); r.Err != nil {
		t.Fatalf("TTL change: %v", r.Err)
	}
	if _, after := z.data("www", "A"); !slices.Equal(before, after) {
		t.Errorf("the TTL change replaced records (IDs %v, then %v) instead of editing them", before, after)
	}
	for _, r := range z.recs {
		if r.Record.Name == "www" && r.Record.TTL != 5*time.Second {
			t.Errorf("%s %s TTL %s, want 5s", r.Record.Type, r.Record.Data, r.Record.TTL)
		}
	}
	if got, _ := z.data("_lifeboat.www", "TXT"); len(got) != 1 {
		t.Errorf("ownership marks: %v, want one", got)
	}
}

// nameTypeZone keeps Hetzner's libdns contract: SetRecords and
// DeleteRecords find the record by name and type alone, the first one.
type nameTypeZone struct{ idZone }

func (z *nameTypeZone) first(rr libdns.RR) int {
	return slices.IndexFunc(z.recs, func(h digitalocean.DNS) bool { return h.Record.Name == rr.Name && h.Record.Type == rr.Type })
}

func (z *nameTypeZone) SetRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		if i := z.first(r.RR()); i >= 0 {
			z.recs[i].Record = r.RR()
		} else {
			z.add(r.RR())
		}
	}
	return recs, nil
}

func (z *nameTypeZone) DeleteRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		i := z.first(r.RR())
		if i < 0 {
			return nil, fmt.Errorf("record ID not found: %s", r.RR().Name)
		}
		z.recs = slices.Delete(z.recs, i, i+1)
	}
	return recs, nil
}

// At a provider that tells records apart by name and type only, one
// address per name works as before; two are refused before anything is
// written, with a message that says why and what to do. Without the
// wrapper the same cutover leaves one address and reports success.
func TestNameTypeAddressedRefusesSets(t *testing.T) {
	ctx := context.Background()
	bare := &nameTypeZone{}
	for _, rr := range startZone(t) {
		bare.add(rr)
	}
	btg := dnscutover.Target{Name: "hz", Zone: "example.com.", Provider: Guard("hz", "hetzner", bare), Nameservers: []string{"127.0.0.1:9"}}
	oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{btg}, setRequest(time.Minute, "198.51.100.7", "198.51.100.8"), setOpts))
	if got, _ := bare.data("www", "A"); len(got) != 1 {
		t.Fatalf("the bare fake holds %v: it does not keep Hetzner's contract (one record updated twice)", got)
	}

	z := &nameTypeZone{}
	for _, rr := range startZone(t) {
		z.add(rr)
	}
	tg := dnscutover.Target{Name: "hz", Zone: "example.com.", Provider: Guard("hz", "hetzner", hetznerSets(z)), Nameservers: []string{"127.0.0.1:9"}}
	if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, setRequest(time.Minute, "198.51.100.7"), setOpts)); r.Err != nil {
		t.Fatalf("one address: %v", r.Err)
	}
	if got, _ := z.data("www", "A"); !slices.Equal(got, []string{"198.51.100.7"}) {
		t.Fatalf("www A = %v", got)
	}
	r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, setRequest(time.Minute, "198.51.100.8", "198.51.100.9"), setOpts))
	if !errors.Is(r.Err, ErrSeveralRecords) || !strings.Contains(r.Err.Error(), "dns type hetzner: www A") ||
		!strings.Contains(r.Err.Error(), "use another DNS vendor") {
		t.Fatalf("two addresses: %v, want ErrSeveralRecords saying what to do", r.Err)
	}
	if got, _ := z.data("www", "A"); !slices.Equal(got, []string{"198.51.100.7"}) {
		t.Errorf("www A after the refusal = %v, want it untouched", got)
	}
}

// A refusal is final: the writer does not retry it.
func TestSeveralRecordsIsPermanent(t *testing.T) {
	err := (&oneRecordSets{typ: "hetzner"}).refuse(rrKey{"www", "A"}, "2 records to write")
	if !errors.Is(err, ErrSeveralRecords) || !dnswriter.Permanent(err) {
		t.Fatalf("%v: want ErrSeveralRecords, permanent", err)
	}
}

// appendZone keeps Gandi's libdns contract: SetRecords adds its value to
// the RRset (and sets the set's TTL), keeping the values there; a delete
// takes one value out of a set of several, or the whole set.
type appendZone struct {
	mu   sync.Mutex
	sets map[rrKey]*appendSet
}

type appendSet struct {
	ttl    time.Duration
	values []string
}

func newAppendZone(rrs ...libdns.RR) *appendZone {
	z := &appendZone{sets: map[rrKey]*appendSet{}}
	for _, rr := range rrs {
		z.set(rr)
	}
	return z
}

func (z *appendZone) set(rr libdns.RR) {
	k := keyOf(rr)
	s := z.sets[k]
	if s == nil {
		s = &appendSet{}
		z.sets[k] = s
	}
	s.ttl = rr.TTL
	if !slices.Contains(s.values, rr.Data) {
		s.values = append(s.values, rr.Data)
	}
}

func (z *appendZone) GetRecords(context.Context, string) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	var out []libdns.Record
	for k, s := range z.sets {
		for _, v := range s.values {
			out = append(out, libdns.RR{Name: k.name, Type: k.typ, TTL: s.ttl, Data: v})
		}
	}
	return out, nil
}

func (z *appendZone) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	return z.SetRecords(ctx, zone, recs)
}

func (z *appendZone) SetRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		z.set(r.RR())
	}
	return recs, nil
}

func (z *appendZone) DeleteRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		rr := r.RR()
		k := keyOf(rr)
		s := z.sets[k]
		if s == nil {
			return nil, fmt.Errorf("404 %s %s", k.name, k.typ)
		}
		if len(s.values) > 1 {
			s.values = slices.DeleteFunc(s.values, func(v string) bool { return v == rr.Data })
		} else {
			delete(z.sets, k)
		}
	}
	return recs, nil
}

func (z *appendZone) values(name, typ string) []string {
	z.mu.Lock()
	defer z.mu.Unlock()
	if s := z.sets[rrKey{name, typ}]; s != nil {
		return slices.Sorted(slices.Values(s.values))
	}
	return nil
}

// At a provider whose SetRecords adds values (Gandi), a cutover leaves
// exactly the new addresses; without the wrapper the old one stays beside
// the new and the cutover is never confirmed.
func TestAppendingSets(t *testing.T) {
	ctx := context.Background()
	bare := newAppendZone(startZone(t)...)
	btg := dnscutover.Target{Name: "gandi", Zone: "example.com.", Provider: Guard("gandi", "gandi", bare), Nameservers: []string{"127.0.0.1:9"}}
	if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{btg}, setRequest(time.Minute, "198.51.100.7"), setOpts)); r.Err == nil {
		t.Fatalf("the bare fake was confirmed (%v): it does not keep Gandi's contract", bare.values("www", "A"))
	}

	z := newAppendZone(startZone(t)...)
	tg := dnscutover.Target{Name: "gandi", Zone: "example.com.", Provider: Guard("gandi", "gandi", gandiSets(z)), Nameservers: []string{"127.0.0.1:9"}}
	for _, set := range [][]string{
		{"198.51.100.7"},
		{"198.51.100.7", "198.51.100.8"},
		{"203.0.113.9", "203.0.113.10"},
		{"203.0.113.10"},
	} {
		req := setRequest(time.Minute, set...)
		if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, setOpts)); r.Err != nil {
			t.Fatalf("cutover to %v: %v", set, r.Err)
		}
		if got, want := z.values("www", "A"), slices.Sorted(slices.Values(set)); !slices.Equal(got, want) {
			t.Fatalf("www A after the cutover to %v = %v", set, got)
		}
	}
	if got := z.values("_lifeboat.www", "TXT"); len(got) != 1 {
		t.Errorf("ownership marks: %v, want one", got)
	}
}
