package executor

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"
)

// errDNSDown is what a fake DNS provider set to fail answers.
var errDNSDown = errors.New("fake DNS provider: API unavailable")

// fakeDNS is an in-memory libdns provider for one zone, with an
// authoritative DNS server on loopback answering from the same records, so
// that dnscutover.Verify sees exactly what was written.
type fakeDNS struct {
	name string
	zone string
	addr string // the server's host:port

	mu      sync.Mutex
	fail    bool
	records map[string][]libdns.RR // "name TYPE" -> RRset, names relative
	// written lists every address ever written, in order, so a test can
	// tell that an address never reached DNS even if it was replaced since.
	written []string
	sets    int
	// beforeGet, when set, runs at the start of every GetRecords (the
	// first thing each write attempt does), outside the lock.
	beforeGet func()
	// afterSet, when set, runs at the end of every SetRecords with the
	// types it wrote, under the lock: it must not call the fake.
	afterSet func(types []string)
}

var _ interface {
	libdns.RecordGetter
	libdns.RecordSetter
	libdns.RecordDeleter
} = (*fakeDNS)(nil)

func newFakeDNS(t *testing.T, name, zone string) *fakeDNS {
	t.Helper()
	f := &fakeDNS{name: name, zone: zone, records: map[string][]libdns.RR{}}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake DNS server: %v", err)
	}
	f.addr = pc.LocalAddr().String()
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(f.serve), NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("fake DNS server did not start within 5s")
	}
	t.Cleanup(func() { _ = srv.Shutdown() })
	return f
}

func (f *fakeDNS) setFail(fail bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func rrKey(name, typ string) string {
	name = strings.ToLower(name)
	if name == "" {
		name = "@"
	}
	return name + " " + strings.ToUpper(typ)
}

func (f *fakeDNS) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	if f.beforeGet != nil {
		f.beforeGet()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, errDNSDown
	}
	var out []libdns.Record
	for _, set := range f.records {
		for _, rr := range set {
			out = append(out, rr)
		}
	}
	return out, nil
}

// SetRecords replaces the whole RRset of every (name, type) in recs, as
// libdns specifies.
func (f *fakeDNS) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, errDNSDown
	}
	f.sets++
	if f.afterSet != nil {
		var types []string
		for _, r := range recs {
			types = append(types, r.RR().Type)
		}
		defer f.afterSet(types)
	}
	fresh := map[string][]libdns.RR{}
	for _, r := range recs {
		rr := r.RR()
		fresh[rrKey(rr.Name, rr.Type)] = append(fresh[rrKey(rr.Name, rr.Type)], rr)
		if rr.Type == "A" || rr.Type == "AAAA" {
			f.written = append(f.written, rr.Data)
		}
	}
	for k, set := range fresh {
		f.records[k] = set
	}
	return recs, nil
}

// DeleteRecords deletes the records matching recs; an empty type or data
// matches any, as libdns specifies.
func (f *fakeDNS) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, errDNSDown
	}
	var deleted []libdns.Record
	for _, r := range recs {
		want := r.RR()
		for k, set := range f.records {
			f.records[k] = slices.DeleteFunc(set, func(have libdns.RR) bool {
				match := rrKey(have.Name, "") == rrKey(want.Name, "") &&
					(want.Type == "" || strings.EqualFold(want.Type, have.Type)) &&
					(want.Data == "" || want.Data == have.Data)
				if match {
					deleted = append(deleted, have)
				}
				return match
			})
		}
	}
	return deleted, nil
}

// addresses returns the A and AAAA data of record name, sorted.
func (f *fakeDNS) addresses(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, typ := range []string{"A", "AAAA"} {
		for _, rr := range f.records[rrKey(name, typ)] {
			out = append(out, rr.Data)
		}
	}
	slices.Sort(out)
	return out
}

// setCount is how many SetRecords calls succeeded.
func (f *fakeDNS) setCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sets
}

func (f *fakeDNS) everWritten(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.written, addr)
}

// serve answers A and AAAA questions authoritatively from the records.
func (f *fakeDNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 1 {
		q := req.Question[0]
		qname := strings.ToLower(q.Name)
		rel, ok := strings.CutSuffix(qname, "."+f.zone)
		if qname == f.zone {
			rel, ok = "@", true
		}
		if !ok {
			m.Rcode = dns.RcodeRefused
			m.Authoritative = false
		} else {
			f.mu.Lock()
			set := f.records[rrKey(rel, dns.TypeToString[q.Qtype])]
			f.mu.Unlock()
			hdr := dns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: dns.ClassINET, Ttl: 60}
			for _, rr := range set {
				ip, err := netip.ParseAddr(rr.Data)
				if err != nil {
					continue
				}
				switch q.Qtype {
				case dns.TypeA:
					m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: ip.AsSlice()})
				case dns.TypeAAAA:
					m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()})
				}
			}
		}
	}
	_ = w.WriteMsg(m)
}
