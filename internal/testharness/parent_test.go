package testharness_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// The parent refers queries for the child to its nameservers, in-domain
// glue included, and an RFC 2136 update of the child's NS set at the parent
// is what the next referral says.
func TestParentDelegatesAndRedelegates(t *testing.T) {
	parent := testharness.StartParent(t, "", "example.test", []testharness.Delegation{
		{Name: "ns1.example.test.", Addr: "127.0.0.5"},     // below the cut: glue in the referral
		{Name: "ns1.vendor-b.test", Addr: "127.0.0.6"},     // a sibling: the parent answers its A
		{Name: "ns.elsewhere.example.", Addr: "127.0.0.7"}, // outside the parent: no address there
	})
	if parent.Zone != "test." {
		t.Fatalf("Zone = %q, want test.", parent.Zone)
	}
	wantReferral(t, parent, "www.example", testharness.Referral{
		Zone: "example.test.",
		NS:   []string{"ns.elsewhere.example.", "ns1.example.test.", "ns1.vendor-b.test."},
		Glue: map[string][]string{"ns1.example.test.": {"127.0.0.5"}},
	})
	parent.WantAnswer(t, "ns1.vendor-b", "A", "127.0.0.6")
	parent.WantAnswer(t, "ns.elsewhere.example.", "A")

	// The first vendor is lost: the child is delegated to the sibling alone.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := dnsProvider(t, parent.RFC2136Settings())
	if _, err := p.SetRecords(ctx, parent.Zone, []libdns.Record{
		libdns.NS{Name: "example", TTL: time.Minute, Target: "ns1.vendor-b.test."},
	}); err != nil {
		t.Fatalf("SetRecords NS at the parent: %v", err)
	}
	wantReferral(t, parent, "example.test.", testharness.Referral{
		Zone: "example.test.",
		NS:   []string{"ns1.vendor-b.test."},
		Glue: map[string][]string{},
	})
}

// The parent answers for its own names, so Referral is not what those get.
func TestParentAnswersItsOwnNames(t *testing.T) {
	parent := testharness.StartParent(t, "lab.", "shop.lab.", []testharness.Delegation{
		{Name: "ns1.shop.lab.", Addr: "127.0.0.8"}, // inside the child: glue below the cut
	})
	parent.WantAnswer(t, "@", "SOA", "ns1.lab. hostmaster.lab. 1 3600 600 86400 60")
	parent.WantAnswer(t, "shop", "NS") // a referral has no answer
	wantReferral(t, parent, "shop", testharness.Referral{
		Zone: "shop.lab.",
		NS:   []string{"ns1.shop.lab."},
		Glue: map[string][]string{"ns1.shop.lab.": {"127.0.0.8"}},
	})
}

func wantReferral(t *testing.T, b *testharness.BIND, name string, want testharness.Referral) {
	t.Helper()
	got := b.Referral(t, name)
	if got.Zone != want.Zone || !slices.Equal(got.NS, want.NS) ||
		!maps.EqualFunc(got.Glue, want.Glue, slices.Equal) {
		t.Errorf("referral for %s = %+v, want %+v", name, got, want)
	}
}
