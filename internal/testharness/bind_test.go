package testharness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/libdns/libdns"
	"github.com/libdns/rfc2136"
	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// rfc2136Provider builds the provider the way lifeboat's registry does: by
// decoding the settings map into the provider's struct, unknown fields refused.
func rfc2136Provider(t *testing.T, b *testharness.BIND) *rfc2136.Provider {
	t.Helper()
	raw, err := json.Marshal(b.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var p rfc2136.Provider
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("settings do not decode into rfc2136.Provider: %v", err)
	}
	return &p
}

// An RFC 2136 update through libdns/rfc2136 changes the record, and a direct
// query to BIND sees the new answer; the change survives a restart of named.
func TestRFC2136UpdateSeenByQuery(t *testing.T) {
	b := testharness.StartBIND(t, testharness.BINDOptions{
		Records: []string{"www 60 IN A 127.0.0.11"},
	})
	if got := b.Query(t, "www", "A"); !slices.Equal(got, []string{"127.0.0.11"}) {
		t.Fatalf("before update: www A = %v, want [127.0.0.11]", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := rfc2136Provider(t, b)
	set, err := p.SetRecords(ctx, b.Zone, []libdns.Record{
		libdns.Address{Name: "www", TTL: time.Minute, IP: netip.MustParseAddr("127.0.0.12")},
	})
	if err != nil {
		t.Fatalf("SetRecords: %v", err)
	}
	if len(set) != 1 {
		t.Fatalf("SetRecords returned %d records, want 1", len(set))
	}
	if got := b.Query(t, "www."+b.Zone, "A"); !slices.Equal(got, []string{"127.0.0.12"}) {
		t.Fatalf("after update: www A = %v, want [127.0.0.12]", got)
	}

	// GetRecords is an AXFR signed with the same key.
	recs, err := p.GetRecords(ctx, b.Zone)
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	found := false
	for _, r := range recs {
		rr := r.RR()
		found = found || (rr.Name == "www" && rr.Type == "A" && rr.Data == "127.0.0.12")
	}
	if !found {
		t.Fatalf("GetRecords has no www A 127.0.0.12: %v", recs)
	}

	b.Stop()
	b.Stop() // idempotent
	c := &dns.Client{Timeout: 500 * time.Millisecond}
	if _, _, err := c.Exchange(new(dns.Msg).SetQuestion("www."+b.Zone, dns.TypeA), b.Addr); err == nil {
		t.Fatalf("named still answers after Stop")
	}

	b.Restart(t)
	if got := b.Query(t, "www", "A"); !slices.Equal(got, []string{"127.0.0.12"}) {
		t.Fatalf("after restart: www A = %v, want [127.0.0.12] (journal lost?)", got)
	}
}

// A wrong key is refused: the server really checks TSIG.
func TestRFC2136WrongKeyRefused(t *testing.T) {
	b := testharness.StartBIND(t, testharness.BINDOptions{Zone: "other.test"})
	if b.Zone != "other.test." {
		t.Fatalf("Zone = %q, want other.test.", b.Zone)
	}
	p := rfc2136Provider(t, b)
	p.Key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.SetRecords(ctx, b.Zone, []libdns.Record{
		libdns.Address{Name: "www", TTL: time.Minute, IP: netip.MustParseAddr("127.0.0.12")},
	})
	if err == nil {
		t.Fatalf("SetRecords with a wrong key succeeded")
	}
	if got := b.Query(t, "www", "A"); len(got) != 0 {
		t.Fatalf("www A = %v after a refused update, want none", got)
	}
}
