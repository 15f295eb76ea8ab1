package registrar_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/registrar"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func startParent(t *testing.T) *testharness.BIND {
	t.Helper()
	return testharness.StartParent(t, "test.", "example.test.", []testharness.Delegation{
		{Name: "ns1.example.test.", Addr: "127.0.0.21"},
		{Name: "ns2.example.test.", Addr: "127.0.0.22"},
		{Name: "ns.vendor-b.test.", Addr: "127.0.0.23"},
	})
}

func TestRFC2136AgainstBIND(t *testing.T) {
	parent := startParent(t)
	r, err := registrar.New("rfc2136", parent.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := r.Nameservers(ctx, "Example.Test")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ns.vendor-b.test.", "ns1.example.test.", "ns2.example.test."}; !slices.Equal(got, want) {
		t.Fatalf("nameservers %v, want %v", got, want)
	}

	// To one in-zone nameserver with new glue, and one outside the zone.
	glue := map[string][]netip.Addr{"NS3.example.test.": {netip.MustParseAddr("127.0.0.24"), netip.MustParseAddr("::1")}}
	if err := r.SetNameservers(ctx, "example.test.", []string{"ns3.example.test", "ns.vendor-b.test."}, glue); err != nil {
		t.Fatal(err)
	}
	ref := parent.Referral(t, "www.example.test.")
	if want := []string{"ns.vendor-b.test.", "ns3.example.test."}; !slices.Equal(ref.NS, want) {
		t.Fatalf("the parent refers to %v, want %v", ref.NS, want)
	}
	if g := ref.Glue["ns3.example.test."]; !slices.Equal(g, []string{"127.0.0.24", "::1"}) {
		t.Errorf("glue of ns3: %v", g)
	}
	for _, old := range []string{"ns1.example.test.", "ns2.example.test."} {
		if g, ok := ref.Glue[old]; ok {
			t.Errorf("the old glue of %s is still there: %v", old, g)
		}
	}
	if got, err := r.Nameservers(ctx, "example.test."); err != nil || !slices.Equal(got, []string{"ns.vendor-b.test.", "ns3.example.test."}) {
		t.Errorf("nameservers after the change: %v, %v", got, err)
	}
	// The same again changes nothing and succeeds.
	if err := r.SetNameservers(ctx, "example.test.", []string{"ns3.example.test", "ns.vendor-b.test."}, glue); err != nil {
		t.Fatal(err)
	}
}

// An in-zone nameserver without glue would leave the zone unreachable:
// refused before anything is sent.
func TestRFC2136RefusesInZoneNameserverWithoutGlue(t *testing.T) {
	parent := startParent(t)
	r, err := registrar.New("rfc2136", parent.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	err = r.SetNameservers(context.Background(), "example.test.", []string{"ns9.example.test."}, nil)
	if err == nil || !strings.Contains(err.Error(), "ns9.example.test. is inside example.test. and needs glue") {
		t.Fatalf("err %v", err)
	}
	if ref := parent.Referral(t, "www.example.test."); len(ref.NS) != 3 {
		t.Fatalf("the parent changed: %v", ref.NS)
	}
}

func TestRFC2136WrongKey(t *testing.T) {
	parent := startParent(t)
	s := parent.RFC2136Settings()
	wrong := "bGlmZWJvYXQtd3Jvbmcta2V5LWZvci10aGUtdGVzdHM="
	s["key"] = wrong
	r, err := registrar.New("rfc2136", s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = r.SetNameservers(ctx, "example.test.", []string{"ns.vendor-b.test."}, nil)
	if err == nil {
		t.Fatal("an update signed with a wrong key was accepted")
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), parent.Secret) {
		t.Fatalf("the error quotes a key: %v", err)
	}
	if ref := parent.Referral(t, "www.example.test."); len(ref.NS) != 3 {
		t.Fatalf("the parent changed: %v", ref.NS)
	}
}

func TestRFC2136ParentSetting(t *testing.T) {
	parent := startParent(t)
	s := parent.RFC2136Settings()
	s["parent"] = "other.test"
	r, err := registrar.New("rfc2136", s)
	if err != nil {
		t.Fatal(err)
	}
	err = r.SetNameservers(context.Background(), "example.test.", []string{"ns.vendor-b.test."}, nil)
	if err == nil || !strings.Contains(err.Error(), "zone example.test. is not below the parent zone other.test.") {
		t.Fatalf("err %v", err)
	}
}

func TestRFC2136ServerDown(t *testing.T) {
	parent := startParent(t)
	r, err := registrar.New("rfc2136", parent.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	parent.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := r.Nameservers(ctx, "example.test."); err == nil {
		t.Fatal("no error from a stopped server")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s past a 2s deadline", d)
	}
}
