package registrar_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/registrar"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/miekg/dns"
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
	zone := transfer(t, parent)
	if before := below(zone, "example.test."); len(before) != 5 || !strings.Contains(strings.Join(before, "\n"), "ns1.example.test.\t") {
		t.Fatalf("the parent zone holds for example.test. before the change:\n%s", strings.Join(before, "\n"))
	}
	oldTTL := nsTTL(t, zone, "example.test.")

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
	// A referral carries glue only for the names it lists, and a query for
	// a name below the cut is referred too: only the zone's contents show
	// whether the old glue is gone.
	want := []string{
		fmt.Sprintf("example.test.\t%d\tIN\tNS\tns.vendor-b.test.", oldTTL),
		fmt.Sprintf("example.test.\t%d\tIN\tNS\tns3.example.test.", oldTTL),
		fmt.Sprintf("ns3.example.test.\t%d\tIN\tA\t127.0.0.24", oldTTL),
		fmt.Sprintf("ns3.example.test.\t%d\tIN\tAAAA\t::1", oldTTL),
	}
	if got := below(transfer(t, parent), "example.test."); !slices.Equal(got, want) {
		t.Errorf("the parent zone holds for example.test.:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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

// A wrong key is refused by the server: the error names the server, the
// zone and what the server said, never a key.
func TestRFC2136WrongKeyNamesServer(t *testing.T) {
	parent := startParent(t)
	s := parent.RFC2136Settings()
	wrong := "cmVjb2duaXNhYmxlLXdyb25nLWtleS0wMTIzNDU2Nzg5"
	s["key"] = wrong
	r, err := registrar.New("rfc2136", s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, call := range []func() error{
		func() error { _, err := r.Nameservers(ctx, "example.test."); return err },
		func() error { return r.SetNameservers(ctx, "example.test.", []string{"ns.vendor-b.test."}, nil) },
	} {
		err := call()
		if err == nil {
			t.Fatal("a wrong key was accepted")
		}
		msg := err.Error()
		for _, want := range []string{parent.Addr, "example.test.", "NOTAUTH", "BADSIG"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error does not say %q: %v", want, err)
			}
		}
		if strings.Contains(msg, wrong) || strings.Contains(msg, parent.Secret) {
			t.Fatalf("the error quotes a key: %v", err)
		}
	}
}

// An update to a zone the server does not hold is refused by the server
// (NOTAUTH): the error says which server and zone.
func TestRFC2136NotAuthoritative(t *testing.T) {
	parent := startParent(t)
	r, err := registrar.New("rfc2136", parent.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The parent of a.example.test. is example.test., delegated away.
	err = r.SetNameservers(ctx, "a.example.test.", []string{"ns.vendor-b.test."}, nil)
	if err == nil {
		t.Fatal("an update of a zone the server does not hold was accepted")
	}
	for _, want := range []string{parent.Addr, "a.example.test.", "zone example.test.", "NOTAUTH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
}

// A zone not delegated yet gets its first delegation, with the default TTL.
func TestRFC2136FirstDelegation(t *testing.T) {
	parent := startParent(t)
	r, err := registrar.New("rfc2136", parent.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got, err := r.Nameservers(ctx, "new.test."); err == nil || !strings.Contains(err.Error(), "no delegation for new.test.") {
		t.Fatalf("nameservers of a zone not delegated: %v, %v", got, err)
	}
	glue := map[string][]netip.Addr{"ns1.new.test.": {netip.MustParseAddr("127.0.0.31")}}
	if err := r.SetNameservers(ctx, "new.test.", []string{"ns1.new.test.", "ns.vendor-b.test."}, glue); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"new.test.\t3600\tIN\tNS\tns.vendor-b.test.",
		"new.test.\t3600\tIN\tNS\tns1.new.test.",
		"ns1.new.test.\t3600\tIN\tA\t127.0.0.31",
	}
	if got := below(transfer(t, parent), "new.test."); !slices.Equal(got, want) {
		t.Errorf("the parent zone holds for new.test.:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, err := r.Nameservers(ctx, "new.test."); err != nil || !slices.Equal(got, []string{"ns.vendor-b.test.", "ns1.new.test."}) {
		t.Errorf("nameservers after the first delegation: %v, %v", got, err)
	}
}

// Bad input is refused before anything is sent: the zone stays as it was.
func TestRFC2136RefusesBadInput(t *testing.T) {
	parent := startParent(t)
	r, err := registrar.New("rfc2136", parent.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	before := below(transfer(t, parent), "example.test.")
	cases := []struct {
		ns   []string
		glue map[string][]netip.Addr
		want string
	}{
		{ns: []string{"ns3.example.test."}, glue: map[string][]netip.Addr{"ns3.example.test.": {{}}}, want: "glue of ns3.example.test.: an address is not valid"},
		{ns: []string{"ns3.example.test."}, glue: map[string][]netip.Addr{"ns3.example.test.": {}}, want: "needs glue"},
		{ns: []string{"bad..name."}, want: `nameserver "bad..name." is not a host name`},
		{ns: nil, want: "no nameservers"},
	}
	for _, tc := range cases {
		err := r.SetNameservers(context.Background(), "example.test.", tc.ns, tc.glue)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err %v, want %q", tc.ns, tc.glue, err, tc.want)
		}
	}
	if after := below(transfer(t, parent), "example.test."); !slices.Equal(after, before) {
		t.Errorf("the parent zone changed:\n%s\nwas:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
}

// A server that takes the connection and never answers: a cancelled
// context (no deadline) ends the call at once, not at the 30s timeout.
func TestRFC2136HonoursCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	r, err := registrar.New("rfc2136", map[string]string{"server": ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err = r.Nameservers(ctx, "example.test.")
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

// transfer reads the whole zone of b by AXFR, signed with its key.
func transfer(t *testing.T, b *testharness.BIND) []dns.RR {
	t.Helper()
	m := new(dns.Msg).SetAxfr(b.Zone)
	key := dns.Fqdn(b.KeyName)
	m.SetTsig(key, dns.Fqdn(b.KeyAlg), 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{key: b.Secret}, DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second}
	envs, err := tr.In(m, b.Addr)
	if err != nil {
		t.Fatalf("AXFR %s: %v", b.Zone, err)
	}
	var out []dns.RR
	for e := range envs {
		if e.Error != nil {
			t.Fatalf("AXFR %s: %v", b.Zone, e.Error)
		}
		out = append(out, e.RR...)
	}
	return out
}

// below returns the records at or below name, as text, sorted.
func below(rrs []dns.RR, name string) []string {
	var out []string
	for _, rr := range rrs {
		if dns.IsSubDomain(name, rr.Header().Name) {
			out = append(out, rr.String())
		}
	}
	slices.Sort(out)
	return out
}

// nsTTL is the TTL of name's NS records in rrs.
func nsTTL(t *testing.T, rrs []dns.RR, name string) uint32 {
	t.Helper()
	for _, rr := range rrs {
		if ns, ok := rr.(*dns.NS); ok && ns.Hdr.Name == name {
			return ns.Hdr.Ttl
		}
	}
	t.Fatalf("no NS records for %s", name)
	return 0
}
