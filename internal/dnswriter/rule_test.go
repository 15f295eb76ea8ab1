package dnswriter

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

const origin = "example.test."

func a(name, ip string) libdns.Record {
	return libdns.RR{Name: name, Type: "A", TTL: time.Minute, Data: ip}
}
func rec(name, typ, data string) libdns.Record {
	return libdns.RR{Name: name, Type: typ, TTL: time.Minute, Data: data}
}
func markOf(name string, owners ...string) []libdns.Record {
	var out []libdns.Record
	for _, o := range owners {
		out = append(out, libdns.TXT{Name: OwnerName(name), TTL: time.Minute, Text: OwnershipText(o)})
	}
	return out
}
func join(rs ...[]libdns.Record) []libdns.Record { return slices.Concat(rs...) }

// The ownership rule, one write at a time: who may write what, in a zone
// holding what.
func TestPermit(t *testing.T) {
	svc, other := ServiceOwner("www"), ServiceOwner("api")
	zone := join(
		[]libdns.Record{a("www", "192.0.2.1"), a("free-mx", "192.0.2.9"), rec("mx", "MX", "10 mail"), a("plain", "192.0.2.2")},
		markOf("www", svc),
		[]libdns.Record{a("api", "192.0.2.3")}, markOf("api", other),
		[]libdns.Record{a("both", "192.0.2.4")}, markOf("both", svc, SyncOwner),
		[]libdns.Record{a("synced", "192.0.2.5"), rec("synced", "TXT", "v=1")}, markOf("synced", SyncOwner),
	)
	for _, tc := range []struct {
		what  string
		owner string
		adopt bool
		del   bool
		recs  []libdns.Record
		ok    bool
	}{
		{"a service writes its own name", svc, false, false, []libdns.Record{a("www", "192.0.2.7")}, true},
		{"a service deletes its own addresses", svc, false, true, []libdns.Record{libdns.RR{Name: "www", Type: "A"}}, true},
		{"a service writes a free name", svc, false, false, []libdns.Record{a("new", "192.0.2.7")}, true},
		{"a service marks a free name", svc, false, false, markOf("new", svc), true},
		{"a service may not write addresses nobody marked", svc, false, false, []libdns.Record{a("plain", "192.0.2.7")}, false},
		{"a service adopts addresses nobody marked", svc, true, false, []libdns.Record{a("plain", "192.0.2.7")}, true},
		{"a service may not write another service's name", svc, false, false, []libdns.Record{a("api", "192.0.2.7")}, false},
		{"a service may not delete another service's name", svc, false, true, []libdns.Record{libdns.RR{Name: "api", Type: "A"}}, false},
		{"a service adopts another service's name", svc, true, false, []libdns.Record{a("api", "192.0.2.7")}, true},
		{"a service may not replace another's mark", svc, false, false, markOf("api", svc), false},
		{"a service adopting replaces another's mark", svc, true, false, markOf("api", svc), true},
		{"a drill may not write the service's name", DrillOwner("www"), false, false, []libdns.Record{a("www", "192.0.2.7")}, false},
		{"a drill may not delete the service's mark", DrillOwner("www"), false, true, []libdns.Record{libdns.RR{Name: OwnerName("www"), Type: "TXT"}}, false},
		{"a drill deletes its own mark value only", DrillOwner("www"), false, true, markOf("www", DrillOwner("www")), true},
		{"the sync writes what it marked", SyncOwner, false, false, []libdns.Record{a("synced", "192.0.2.8")}, true},
		{"the sync never writes a service's addresses", SyncOwner, false, false, []libdns.Record{a("www", "192.0.2.8")}, false},
		{"not even adopting", SyncOwner, true, false, []libdns.Record{a("www", "192.0.2.8")}, false},
		{"not even where it marked the name too", SyncOwner, false, false, []libdns.Record{a("both", "192.0.2.8")}, false},
		{"the sync deletes no service's addresses", SyncOwner, true, true, []libdns.Record{libdns.RR{Name: "www", Type: "A"}}, false},
		{"the sync writes other types at a name it shares", SyncOwner, false, false, []libdns.Record{rec("both", "TXT", "v=2")}, true},
		{"the sync creates an RRset that does not exist", SyncOwner, false, false, []libdns.Record{rec("www", "MX", "10 mail")}, true},
		{"the sync creates an address family a name lacks", SyncOwner, false, false, []libdns.Record{rec("plain", "AAAA", "2001:db8::2")}, true},
		{"but may not change the one it has", SyncOwner, false, false, []libdns.Record{a("plain", "192.0.2.8")}, false},
		{"the sync may not change an RRset it did not write", SyncOwner, false, false, []libdns.Record{rec("mx", "MX", "20 mail")}, false},
		{"the sync adopts an RRset nobody marked", SyncOwner, true, false, []libdns.Record{rec("mx", "MX", "20 mail")}, true},
		{"the sync adds its mark beside a service's", SyncOwner, false, false, join(markOf("www", svc, SyncOwner)), true},
		{"the sync never drops a service's mark", SyncOwner, true, false, markOf("www", other), false},
		{"the sync never deletes a service's mark", SyncOwner, true, true, []libdns.Record{libdns.RR{Name: OwnerName("www"), Type: "TXT"}}, false},
		{"the sync deletes its own mark", SyncOwner, false, true, []libdns.Record{libdns.RR{Name: OwnerName("synced"), Type: "TXT"}}, true},
	} {
		t.Run(tc.what, func(t *testing.T) {
			z := newZone(zone, origin)
			var err error
			for _, s := range groupSets(tc.recs, origin) {
				err = errors.Join(err, z.permit(tc.owner, tc.adopt, tc.del, s))
			}
			if (err == nil) != tc.ok {
				t.Errorf("permit = %v, want allowed %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrNotOwned) {
				t.Errorf("refusal %v does not wrap ErrNotOwned", err)
			}
		})
	}
}

// memZone is a provider holding one zone in memory; lag keeps it from
// applying writes, like a provider that acknowledges and drops them.
type memZone struct {
	recs   []libdns.Record
	writes int
	lag    bool
}

func (m *memZone) GetRecords(context.Context, string) ([]libdns.Record, error) {
	return slices.Clone(m.recs), nil
}
func (m *memZone) SetRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	m.writes++
	if !m.lag {
		m.recs = apply(m.recs, origin, false, recs)
	}
	return recs, nil
}
func (m *memZone) DeleteRecords(_ context.Context, _ string, recs []libdns.Record) ([]libdns.Record, error) {
	m.writes++
	if !m.lag {
		m.recs = apply(m.recs, origin, true, recs)
	}
	return recs, nil
}

// A refused write writes nothing, not even the RRsets that were allowed;
// BeforeWrite runs before every write and its refusal stops the writer;
// Confirm catches a provider that acknowledged a write it did not make.
func TestWriter(t *testing.T) {
	ctx := context.Background()
	svc := ServiceOwner("www")
	z := &memZone{recs: join([]libdns.Record{a("api", "192.0.2.3")}, markOf("api", ServiceOwner("api")))}
	w := &Writer{Provider: z, Zone: origin, Owner: svc}
	err := w.Set(ctx, []libdns.Record{a("www", "192.0.2.1"), a("api", "192.0.2.1")})
	if !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), "api A") || z.writes != 0 {
		t.Errorf("mixed write: err %v after %d writes; want ErrNotOwned naming api and nothing written", err, z.writes)
	}

	// Our mark first; the name is then ours to write in the same session.
	if err := w.Set(ctx, markOf("www", svc)); err != nil {
		t.Fatal(err)
	}
	if err := w.Set(ctx, []libdns.Record{a("www", "192.0.2.1")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Confirm(ctx); err != nil {
		t.Errorf("confirm: %v", err)
	}

	fenced := errors.New("deposed")
	calls := 0
	w = &Writer{Provider: z, Zone: origin, Owner: svc, BeforeWrite: func(context.Context) error {
		if calls++; calls > 1 {
			return fenced
		}
		return nil
	}}
	if err := w.Set(ctx, []libdns.Record{a("www", "192.0.2.2")}); err != nil {
		t.Fatal(err)
	}
	before := z.writes
	err = w.Delete(ctx, []libdns.Record{libdns.RR{Name: "www", Type: "A"}})
	if !errors.Is(err, fenced) || !Stopped(err) || !Permanent(err) || z.writes != before {
		t.Errorf("fenced: err %v, %d writes after; want the fencing error, permanent, nothing written", err, z.writes-before)
	}

	z.lag = true
	w = &Writer{Provider: z, Zone: origin, Owner: svc}
	if err := w.Set(ctx, []libdns.Record{a("www", "192.0.2.9")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Confirm(ctx); !errors.Is(err, ErrNotConfirmed) || !strings.Contains(err.Error(), "www A") {
		t.Errorf("confirm of a dropped write: %v, want ErrNotConfirmed naming www A", err)
	}
}
