package engine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/zonesync"
)

// fakeZone is a DNS provider holding one zone in memory. It remembers what
// it was asked to write, and whether every call had a deadline.
type fakeZone struct {
	mu          sync.Mutex
	recs        []libdns.Record
	writes      [][]libdns.Record
	reads       int
	noDeadline  bool
	failWriting error
}

func (f *fakeZone) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if _, ok := ctx.Deadline(); !ok {
		f.noDeadline = true
	}
	return slices.Clone(f.recs), nil
}

func (f *fakeZone) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := ctx.Deadline(); !ok {
		f.noDeadline = true
	}
	f.writes = append(f.writes, recs)
	if f.failWriting != nil {
		return nil, f.failWriting
	}
	// Hold what was written, as a zone does: the writer reads it back.
	f.recs = slices.DeleteFunc(f.recs, func(have libdns.Record) bool {
		return slices.ContainsFunc(recs, func(w libdns.Record) bool {
			return have.RR().Name == w.RR().Name && have.RR().Type == w.RR().Type
		})
	})
	f.recs = append(f.recs, recs...)
	return recs, nil
}

func (f *fakeZone) AppendRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	return nil, errors.New("not used")
}

func (f *fakeZone) DeleteRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	return nil, errors.New("not used")
}

// written lists what was written as "name type data ttl" lines, sorted.
func (f *fakeZone) written() []string {
	var out []string
	for _, w := range f.writes {
		for _, r := range w {
			rr := r.RR()
			out = append(out, rr.Name+" "+rr.Type+" "+rr.Data+" "+rr.TTL.String())
		}
	}
	slices.Sort(out)
	return out
}

func addr(name string, ttl time.Duration, ip string) libdns.Record {
	return libdns.Address{Name: name, TTL: ttl, IP: netip.MustParseAddr(ip)}
}

func mark(name, owner string) libdns.Record {
	return libdns.TXT{Name: "_lifeboat." + name, TTL: time.Hour, Text: "heritage=lifeboat,owner=" + owner}
}

func ttlEngine(t *testing.T, zones map[string]*fakeZone) *Engine {
	t.Helper()
	cfg := &config.Config{
		DNS: []*config.DNSProvider{{Name: "a", Type: "rfc2136", Zone: "example.test."}, {Name: "b", Type: "rfc2136", Zone: "example.test."}},
		Services: []*config.Service{
			{Name: "www", Records: []string{"www"}, TTL: 3600},
			{Name: "api", Records: []string{"api"}, TTL: 3600},
			{Name: "low", Records: []string{"low"}, TTL: 3600},
			{Name: "old", Records: []string{"old"}, TTL: 600, Adopt: true},
			{Name: "only-a", Records: []string{"only"}, TTL: 3600, DNS: []string{"a"}},
		},
	}
	e := New(cfg, nil)
	t.Cleanup(func() { e.Close() })
	for name, z := range zones {
		e.dns[name] = z
	}
	return e
}

func zoneRecords() []libdns.Record {
	return []libdns.Record{
		addr("www", time.Hour, "127.0.0.11"), addr("www", time.Hour, "127.0.0.12"), addr("www", time.Hour, "::11"),
		mark("www", "lifeboat/www"),
		addr("api", time.Hour, "127.0.0.11"), // no mark: not lifeboat's
		addr("low", 10*time.Second, "127.0.0.11"), mark("low", "lifeboat/low"),
		addr("old", time.Hour, "127.0.0.11"), // no mark, but its service adopts
		addr("only", time.Hour, "127.0.0.11"), mark("only", "lifeboat/only-a"),
		addr("other", time.Hour, "127.0.0.11"), mark("other", "lifeboat/other"),
	}
}

func lower(to time.Duration) func(string, time.Duration) (time.Duration, bool) {
	return func(_ string, have time.Duration) (time.Duration, bool) { return to, have > to }
}

// Lowering: only the services' A and AAAA RRsets above the TTL, whole and
// with their values, at every DNS provider of each service; a name not
// marked as the service's is left alone unless the service adopts; each
// DNS provider read and written once (and read back once to confirm),
// every call with a deadline.
func TestSetTTLLowers(t *testing.T) {
	a, b := &fakeZone{recs: zoneRecords()}, &fakeZone{recs: zoneRecords()}
	e := ttlEngine(t, map[string]*fakeZone{"a": a, "b": b})
	got := e.SetTTL(context.Background(), TTLRequest{Services: []string{"www", "api", "low", "old", "only-a"}, TTL: lower(30 * time.Second)})

	wantA := []string{
		"old A 127.0.0.11 30s", "only A 127.0.0.11 30s",
		"www A 127.0.0.11 30s", "www A 127.0.0.12 30s", "www AAAA ::11 30s",
	}
	if w := a.written(); !slices.Equal(w, wantA) {
		t.Errorf("written at a:\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(wantA, "\n"))
	}
	wantB := slices.DeleteFunc(slices.Clone(wantA), func(s string) bool { return strings.HasPrefix(s, "only ") })
	if w := b.written(); !slices.Equal(w, wantB) {
		t.Errorf("written at b (only-a's records are not its):\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(wantB, "\n"))
	}
	for name, z := range map[string]*fakeZone{"a": a, "b": b} {
		if z.reads != 2 || len(z.writes) != 1 {
			t.Errorf("%s read %d times, written %d times: want read once and back once, written once", name, z.reads, len(z.writes))
		}
		if z.noDeadline {
			t.Errorf("a call to %s had no deadline", name)
		}
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, c.String())
	}
	for _, want := range []string{
		"www.example.test. A at a: 3600s -> 30s",
		"www.example.test. AAAA at b: 3600s -> 30s",
		"api.example.test. A at a (3600s): left alone: not marked as lifeboat/api's, and service.adopt is off",
		"old.example.test. A at b: 3600s -> 30s",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("changes lack %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "low.") || strings.HasPrefix(l, "other.") }) {
		t.Errorf("a record already low, or of no service asked for, is in the changes:\n%s", strings.Join(lines, "\n"))
	}
	if !slices.IsSortedFunc(got, func(x, y TTLChange) int { return strings.Compare(x.DNS+x.Name+x.Type, y.DNS+y.Name+y.Type) }) {
		t.Errorf("changes not sorted:\n%s", strings.Join(lines, "\n"))
	}
}

// A DNS provider observed down is not asked and is said to be left alone;
// one whose write fails reports it on each RRset it would have changed,
// and the other is still written.
func TestSetTTLDownAndFailing(t *testing.T) {
	a, b := &fakeZone{recs: zoneRecords(), failWriting: errors.New("REFUSED")}, &fakeZone{recs: zoneRecords()}
	e := ttlEngine(t, map[string]*fakeZone{"a": a, "b": b})
	got := e.SetTTL(context.Background(), TTLRequest{Services: []string{"www"}, TTL: lower(30 * time.Second), Down: map[string]string{"b": "no nameserver answers"}})
	if b.reads != 0 || len(b.writes) != 0 {
		t.Errorf("b is down but was read %d times, written %d times", b.reads, len(b.writes))
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, c.String())
	}
	want := []string{
		"www.example.test. A at a: 3600s -> 30s: failed: write 3 record(s) to zone example.test.: REFUSED",
		"www.example.test. AAAA at a: 3600s -> 30s: failed: write 3 record(s) to zone example.test.: REFUSED",
		"zone example.test. at b: left alone: DNS provider down: no nameserver answers",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range got {
		if c.Changed {
			t.Errorf("%s is marked changed", c)
		}
	}
}

// Restoring: each service gets its own TTL back, only where the TTL is
// the emergency one (a record a person or a failover has set otherwise
// is not touched).
func TestSetTTLRestoresEachServicesTTL(t *testing.T) {
	emergency := 30 * time.Second
	a := &fakeZone{recs: []libdns.Record{
		addr("www", emergency, "127.0.0.11"), mark("www", "lifeboat/www"),
		addr("old", emergency, "127.0.0.11"),
		addr("only", 5*time.Minute, "127.0.0.11"), mark("only", "lifeboat/only-a"),
	}}
	e := ttlEngine(t, map[string]*fakeZone{"a": a, "b": {}})
	e.SetTTL(context.Background(), TTLRequest{Services: []string{"www", "old", "only-a"},
		TTL: func(service string, have time.Duration) (time.Duration, bool) {
			normal := time.Duration(e.Cfg.Service(service).TTL) * time.Second
			return normal, have == emergency
		}})
	want := []string{"old A 127.0.0.11 10m0s", "www A 127.0.0.11 1h0m0s"}
	if w := a.written(); !slices.Equal(w, want) {
		t.Errorf("written:\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(want, "\n"))
	}
}

// leaderJournal stands in for the cluster's journal in the leadership
// fence: CheckLeader says whether the term still stands. Only it and
// Close are called.
type leaderJournal struct {
	journal.Journal
	deposed bool
	checks  int
}

func (j *leaderJournal) Close() error { return nil }

func (j *leaderJournal) CheckLeader(ctx context.Context) error {
	j.checks++
	if _, led := journal.LeadershipFrom(ctx); !led {
		return errors.New("checked without a leadership")
	}
	if j.deposed {
		return fmt.Errorf("%w: its term has ended", journal.ErrNotLeader)
	}
	return nil
}

// A TTL change made as the leader asks, right before it writes, whether
// the leadership still stands: a deposed leader writes nothing (the new
// leader may have cut the records over since they were read) and says
// why; a standing one writes; without a leadership (no cluster) nothing
// is asked.
func TestSetTTLFencedByTheLeadership(t *testing.T) {
	lead := journal.WithLeadership(context.Background(), journal.Leadership{Key: "election/n1", Rev: 7})
	for _, c := range []struct {
		name    string
		ctx     context.Context
		deposed bool
		writes  int
		checks  bool
	}{
		{"deposed", lead, true, 0, true},
		{"leading", lead, false, 1, true},
		{"no cluster", context.Background(), true, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			z := &fakeZone{recs: zoneRecords()}
			e := ttlEngine(t, map[string]*fakeZone{"a": z})
			j := &leaderJournal{deposed: c.deposed}
			e.journal = j
			got := e.SetTTL(c.ctx, TTLRequest{Services: []string{"only-a"}, TTL: lower(30 * time.Second)})
			if len(z.writes) != c.writes {
				t.Fatalf("%d writes, want %d: %+v", len(z.writes), c.writes, got)
			}
			if (j.checks > 0) != c.checks {
				t.Errorf("the leadership was checked %d times", j.checks)
			}
			if c.deposed && c.checks {
				if len(got) != 1 || got[0].Changed || !strings.Contains(got[0].Error, "no longer the leader") {
					t.Errorf("changes %+v: want the RRset not changed, saying the leadership ended", got)
				}
			}
		})
	}
}

// The zone sync's writes carry the same fence: a deposed leader creates
// nothing.
func TestSyncFencedByTheLeadership(t *testing.T) {
	lead := journal.WithLeadership(context.Background(), journal.Leadership{Key: "election/n1", Rev: 7})
	for _, deposed := range []bool{true, false} {
		z := &fakeZone{recs: zoneRecords()}
		e := ttlEngine(t, map[string]*fakeZone{"a": z})
		e.journal = &leaderJournal{deposed: deposed}
		rr := zonesync.RRset{Name: "mail", Type: "A", TTL: time.Hour, Values: []string{"127.0.0.25"}}
		target := &SyncTarget{Provider: "a", Zone: "example.test.",
			Plan: zonesync.Plan{Create: []zonesync.Change{{Name: "mail", Type: "A", To: &rr}}}}
		err := e.writeSync(lead, target, false)
		switch {
		case deposed && (!errors.Is(err, journal.ErrNotLeader) || len(z.writes) != 0):
			t.Errorf("deposed: %v, %d writes; want ErrNotLeader and none", err, len(z.writes))
		case !deposed && (err != nil || len(z.writes) != 1):
			t.Errorf("leading: %v, %d writes; want one", err, len(z.writes))
		}
	}
}
