package drill

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// These tests run the canary drill's DNS half against a real BIND over
// RFC 2136, as lifeboat does, and read the zone back by AXFR and by
// queries. The standby, its checks and the journal are the package's fakes.

// bindRecords is the drill's DNS at a real BIND serving example.test.
func bindRecords(t *testing.T, b *testharness.BIND) DNS {
	t.Helper()
	p, err := providers.NewDNS("rfc2136", b.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	return DNS{Service: "www", TTL: 60 * time.Second,
		Targets: []dnscutover.Target{{Name: "primary", Zone: b.Zone, Provider: p, Nameservers: []string{b.Addr}}},
		Options: dnscutover.Options{Retry: dnswriter.Retry{Attempts: 2, InitialBackoff: 20 * time.Millisecond, AttemptTimeout: 5 * time.Second},
			VerifyTimeout: 5 * time.Second, PollInterval: 50 * time.Millisecond, QueryTimeout: time.Second}}
}

func drillCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// The service's production record, with its ownership mark.
var production = []string{"www 60 IN A 127.0.0.10", `_lifeboat.www 60 IN TXT "heritage=lifeboat,owner=lifeboat/www"`}

// A drill whose record already exists and is not the drill's fails before
// it brings the standby up, and the zone is byte for byte as it was: not
// written, not deleted. That includes a name marked as the service's own.
func TestCanaryAtBINDLeavesNamesNotItsOwn(t *testing.T) {
	cases := []struct {
		name, record string
		zone         []string
		why          string
	}{
		{"the service's production record", "www", nil, `marked for owner "lifeboat/www", not "lifeboat-drill/www"`},
		{"unowned", "legacy", []string{"legacy 60 IN A 127.0.0.50", `legacy 60 IN TXT "v=spf1 -all"`},
			"exists without an ownership record"},
		{"marked as the service's", "old", []string{"old 60 IN A 127.0.0.51", `_lifeboat.old 60 IN TXT "heritage=lifeboat,owner=lifeboat/www"`},
			`marked for owner "lifeboat/www", not "lifeboat-drill/www"`},
		{"in use without addresses", "mail", []string{"mail 60 IN MX 10 mx.example.test.", `mail 60 IN TXT "v=spf1 mx -all"`},
			"it exists (MX, TXT) without an ownership record"},
		{"another service's drill", "drill-api", []string{"drill-api 60 IN A 127.0.0.52", `_lifeboat.drill-api 60 IN TXT "heritage=lifeboat,owner=lifeboat-drill/api"`},
			`marked for owner "lifeboat-drill/api"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := testharness.StartBIND(t, testharness.BINDOptions{Records: append(slices.Clone(production), tc.zone...)})
			w, spec, env := newCanary(false)
			spec.Canary.Record = tc.record
			env.Records = bindRecords(t, b)
			before := b.AXFR(t)

			rep, err := Run(drillCtx(t), spec, env)
			if !errors.Is(err, ErrFailed) || rep.OK {
				t.Fatalf("Run: %v, report %+v; want the drill to fail", err, rep)
			}
			if msg := strings.Join(rep.Failures, "; "); !strings.Contains(msg, tc.why) || !strings.Contains(msg, "not owned") {
				t.Errorf("failures %q, want them to say the record is not owned: %s", msg, tc.why)
			}
			if after := b.AXFR(t); !slices.Equal(after, before) {
				t.Errorf("the zone changed:\nbefore %q\nafter  %q", before, after)
			}
			b.WantAnswer(t, "www", "A", "127.0.0.10")
			if len(w.ws.applied) != 0 || w.dns.writes != 0 {
				t.Errorf("the standby was applied %d times: the drill should stop before", len(w.ws.applied))
			}
			if len(rep.Steps) != 1 || rep.Steps[0].Name != "www/bravo/drill-check-record" || rep.Steps[0].OK {
				t.Errorf("steps %+v, want only a failed check-record", rep.Steps)
			}
		})
	}
}

// markSeen records the drill record's ownership mark as the drill's
// verify step finds it.
type markSeen struct {
	DNS
	t    *testing.T
	b    *testharness.BIND
	seen []string
}

func (m *markSeen) Verify(ctx context.Context, record string, addrs []string) error {
	m.seen = m.b.Query(m.t, dnscutover.OwnerName(record), "TXT")
	return m.DNS.Verify(ctx, record, addrs)
}

// A drill record of its own is written marked with the drill's owner,
// lifeboat-drill/www, then removed with its mark; production is untouched.
func TestCanaryAtBINDWritesItsOwnRecord(t *testing.T) {
	b := testharness.StartBIND(t, testharness.BINDOptions{Records: production})
	_, spec, env := newCanary(false)
	recs := &markSeen{DNS: bindRecords(t, b), t: t, b: b}
	env.Records = recs
	rep, err := Run(drillCtx(t), spec, env)
	if err != nil || !rep.OK {
		t.Fatalf("Run: %v, %+v", err, rep)
	}
	if want := []string{`"heritage=lifeboat,owner=lifeboat-drill/www"`}; !slices.Equal(recs.seen, want) {
		t.Errorf("the drill record's mark was %v, want %v", recs.seen, want)
	}
	b.WantAnswer(t, "drill-www", "A")
	b.WantAnswer(t, "_lifeboat.drill-www", "TXT")
	b.WantAnswer(t, "www", "A", "127.0.0.10")
	b.WantAnswer(t, "_lifeboat.www", "TXT", `"heritage=lifeboat,owner=lifeboat/www"`)
}
