package testharness

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Delegation is one nameserver a parent zone delegates a child zone to.
type Delegation struct {
	Name string // NS host name, e.g. "ns1.vendor-a.test."
	Addr string // its loopback address for the glue, e.g. "127.0.0.5"; no port
}

// StartParent starts BIND serving parent zone parent (default "test.") that
// delegates child zone child (e.g. "example.test.") to ns: NS records for
// the child, plus an A (or AAAA) record for every nameserver whose name lies
// inside the parent zone. The delegation is changed later by RFC 2136 at the
// returned server, with its RFC2136Settings.
//
// BIND 9.18 puts only in-domain glue (a nameserver named inside the child,
// "ns1.example.test.") in a referral's additional section. A sibling
// ("ns1.vendor-a.test.") gets no glue there: a resolver asks the parent for
// its address, which the parent answers with authority.
func StartParent(t testing.TB, parent, child string, ns []Delegation) *BIND {
	t.Helper()
	if parent == "" {
		parent = "test."
	}
	parent, child = dns.Fqdn(parent), dns.Fqdn(child)
	if child == parent || !dns.IsSubDomain(parent, child) {
		t.Fatalf("testharness: %s is not a child zone of %s", child, parent)
	}
	if len(ns) == 0 {
		t.Fatalf("testharness: StartParent needs at least one nameserver for %s", child)
	}
	var records []string
	glued := map[string]bool{}
	for _, d := range ns {
		host := dns.Fqdn(d.Name)
		records = append(records, child+" IN NS "+host)
		if !dns.IsSubDomain(parent, host) || glued[host] {
			continue // the parent may not hold addresses outside itself
		}
		a, err := netip.ParseAddr(d.Addr)
		if err != nil {
			t.Fatalf("testharness: glue address %q of %s: %v", d.Addr, host, err)
		}
		typ := "A"
		if !a.Is4() {
			typ = "AAAA"
		}
		records = append(records, host+" IN "+typ+" "+a.String())
		glued[host] = true
	}
	return StartBIND(t, BINDOptions{Zone: parent, Records: records})
}

// Referral is what a parent server answers for a name at or below a zone
// cut: not an answer, but where to ask next.
type Referral struct {
	Zone string              // the delegated zone the NS records are for
	NS   []string            // nameserver host names, sorted
	Glue map[string][]string // host name -> addresses (sorted) from the additional section
}

// Referral asks the server for name's SOA without recursion and returns the
// delegation it refers to. It fails the test when the server answers
// instead of referring (name is in no delegated zone) or answers an error.
// A name without a trailing dot is taken relative to the server's zone.
func (b *BIND) Referral(t testing.TB, name string) Referral {
	t.Helper()
	fqdn := zoneName(b.Zone, name)
	q := new(dns.Msg).SetQuestion(fqdn, dns.TypeSOA)
	q.RecursionDesired = false
	r := exchange(t, b.Addr, q)
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) > 0 || r.Authoritative {
		t.Fatalf("testharness: %s at %s is not a referral (rcode %s, %d answers, authoritative %v)",
			fqdn, b.Addr, dns.RcodeToString[r.Rcode], len(r.Answer), r.Authoritative)
	}
	ref := Referral{Glue: map[string][]string{}}
	for _, rr := range r.Ns {
		if ns, ok := rr.(*dns.NS); ok {
			ref.Zone = ns.Hdr.Name
			ref.NS = append(ref.NS, ns.Ns)
		}
	}
	if len(ref.NS) == 0 {
		t.Fatalf("testharness: %s at %s: no NS records in the authority section", fqdn, b.Addr)
	}
	for _, rr := range r.Extra {
		h := strings.ToLower(rr.Header().Name)
		switch rr := rr.(type) {
		case *dns.A:
			ref.Glue[h] = append(ref.Glue[h], rr.A.String())
		case *dns.AAAA:
			ref.Glue[h] = append(ref.Glue[h], rr.AAAA.String())
		}
	}
	slices.Sort(ref.NS)
	for _, addrs := range ref.Glue {
		slices.Sort(addrs)
	}
	return ref
}
