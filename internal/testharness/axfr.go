package testharness

import (
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// AXFR transfers the whole zone from the server, signed with its TSIG
// key, and returns every record in presentation form, sorted: two calls
// compare equal exactly when the zone (SOA serial included) is unchanged.
func (b *BIND) AXFR(t testing.TB) []string {
	t.Helper()
	key := dns.Fqdn(b.KeyName)
	m := new(dns.Msg)
	m.SetAxfr(b.Zone)
	m.SetTsig(key, dns.Fqdn(b.KeyAlg), 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{key: b.Secret}, DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second}
	ch, err := tr.In(m, b.Addr)
	if err != nil {
		t.Fatalf("testharness: AXFR %s from %s: %v", b.Zone, b.Addr, err)
	}
	var out []string
	for env := range ch {
		if env.Error != nil {
			t.Fatalf("testharness: AXFR %s from %s: %v", b.Zone, b.Addr, env.Error)
		}
		for _, rr := range env.RR {
			out = append(out, rr.String())
		}
	}
	slices.Sort(out)
	// The transfer begins and ends with the SOA.
	return slices.Compact(out)
}
