package testharness_test

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// dnsProvider builds an rfc2136 provider from settings through lifeboat's
// own registry, so the settings a server hands out are ones a
// configuration may hold.
func dnsProvider(t *testing.T, settings map[string]string) providers.DNS {
	t.Helper()
	p, err := providers.NewDNS("rfc2136", settings)
	if err != nil {
		t.Fatalf("rfc2136 settings refused by the registry: %v", err)
	}
	return p
}

// knotd serves the zone file's records, takes RFC 2136 updates signed with
// its key (and AXFR with it), keeps them across a restart, and stops.
func TestKnotServesZoneAndSignedUpdates(t *testing.T) {
	ip := testharness.LoopbackIP(t)
	k := testharness.StartKnot(t, testharness.KnotOptions{
		Zone:    "vendor-b.test",
		Records: []string{"www 60 IN A 127.0.0.11"},
		IP:      ip,
	})
	if k.Zone != "vendor-b.test." {
		t.Fatalf("Zone = %q, want vendor-b.test.", k.Zone)
	}
	if host, _, _ := net.SplitHostPort(k.Addr); host != ip {
		t.Fatalf("Addr = %s, want it on %s", k.Addr, ip)
	}
	k.WantAnswer(t, "www", "A", "127.0.0.11")
	k.WantAnswer(t, "@", "NS", "ns1.vendor-b.test.")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := dnsProvider(t, k.RFC2136Settings())
	if _, err := p.SetRecords(ctx, k.Zone, []libdns.Record{
		libdns.Address{Name: "www", TTL: time.Minute, IP: netip.MustParseAddr("127.0.0.12")},
	}); err != nil {
		t.Fatalf("SetRecords: %v", err)
	}
	if _, err := p.AppendRecords(ctx, k.Zone, []libdns.Record{
		libdns.TXT{Name: "_lifeboat.www", TTL: time.Minute, Text: "heritage=lifeboat,owner=lifeboat/www"},
	}); err != nil {
		t.Fatalf("AppendRecords: %v", err)
	}
	k.WantAnswer(t, "www."+k.Zone, "A", "127.0.0.12")
	k.WantAnswer(t, "_lifeboat.www", "TXT", `"heritage=lifeboat,owner=lifeboat/www"`)

	// GetRecords is an AXFR signed with the same key.
	recs, err := p.GetRecords(ctx, k.Zone)
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	if !hasRecord(recs, "www", "A", "127.0.0.12") {
		t.Fatalf("GetRecords has no www A 127.0.0.12: %v", recs)
	}

	k.Restart(t)
	k.WantAnswer(t, "www", "A", "127.0.0.12") // from knotd's journal

	k.Stop()
	k.Stop() // idempotent
	c := &dns.Client{Timeout: 500 * time.Millisecond}
	if _, _, err := c.Exchange(new(dns.Msg).SetQuestion(k.Zone, dns.TypeSOA), k.Addr); err == nil {
		t.Fatalf("knotd still answers after Stop")
	}
}

// knotd really checks TSIG: an update without a key, or with a wrong one,
// changes nothing.
func TestKnotRefusesUnsignedAndWrongKeyUpdates(t *testing.T) {
	k := testharness.StartKnot(t, testharness.KnotOptions{})
	if k.Zone != "example.test." {
		t.Fatalf("Zone = %q, want example.test.", k.Zone)
	}

	u := new(dns.Msg).SetUpdate(k.Zone)
	rr, err := dns.NewRR("unsigned.example.test. 60 IN A 127.0.0.13")
	if err != nil {
		t.Fatal(err)
	}
	u.Insert([]dns.RR{rr})
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	r, _, err := c.Exchange(u, k.Addr)
	if err != nil {
		t.Fatalf("unsigned update: %v", err)
	}
	if r.Rcode != dns.RcodeRefused && r.Rcode != dns.RcodeNotAuth {
		t.Fatalf("unsigned update: rcode %s, want REFUSED or NOTAUTH", dns.RcodeToString[r.Rcode])
	}
	k.WantAnswer(t, "unsigned", "A")

	settings := k.RFC2136Settings()
	settings["key"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = dnsProvider(t, settings).SetRecords(ctx, k.Zone, []libdns.Record{
		libdns.Address{Name: "wrongkey", TTL: time.Minute, IP: netip.MustParseAddr("127.0.0.14")},
	})
	if err == nil {
		t.Fatalf("SetRecords with a wrong key succeeded")
	}
	k.WantAnswer(t, "wrongkey", "A")
}

func hasRecord(recs []libdns.Record, name, typ, data string) bool {
	return slices.ContainsFunc(recs, func(r libdns.Record) bool {
		rr := r.RR()
		return rr.Name == name && rr.Type == typ && rr.Data == data
	})
}
