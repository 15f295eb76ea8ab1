package health

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func TestDNSProberAgainstBIND(t *testing.T) {
	b := testharness.StartBIND(t, testharness.BINDOptions{
		Zone:    "example.test.",
		Records: []string{"www IN A 127.0.0.5", "www IN A 127.0.0.6", "txt IN TXT \"lifeboat=owned\""},
	})
	cases := []struct {
		name   string
		check  *config.DNSCheck
		ok     bool
		reason string
	}{
		{name: "A answered", check: &config.DNSCheck{Server: b.Addr, Name: "www.example.test", Type: "A"}, ok: true, reason: "www.example.test. A 127.0.0."},
		{name: "expected answer", check: &config.DNSCheck{Server: b.Addr, Name: "www.example.test.", Type: "A", Expect: `^127\.0\.0\.6$`}, ok: true, reason: "A 127.0.0.6"},
		{name: "unexpected answer", check: &config.DNSCheck{Server: b.Addr, Name: "www.example.test.", Type: "A", Expect: `^10\.`}, reason: "do not match /^10\\./"},
		{name: "TXT", check: &config.DNSCheck{Server: b.Addr, Name: "txt.example.test", Type: "TXT", Expect: "owned"}, ok: true, reason: "lifeboat=owned"},
		{name: "NXDOMAIN", check: &config.DNSCheck{Server: b.Addr, Name: "nope.example.test", Type: "A"}, reason: "nope.example.test. A: NXDOMAIN"},
		{name: "no record of type", check: &config.DNSCheck{Server: b.Addr, Name: "www.example.test", Type: "AAAA"}, reason: "AAAA: no answer"},
	}
	p := NewProbers(ProberOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := probeOnce(t, p, &config.Check{Name: "dns", DNS: tc.check, Timeout: time.Second})
			if r.OK != tc.ok || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("got ok=%v reason %q; want ok=%v reason containing %q", r.OK, r.Reason, tc.ok, tc.reason)
			}
		})
	}

	t.Run("server stopped", func(t *testing.T) {
		b.Stop()
		r := probeOnce(t, p, &config.Check{Name: "dns", DNS: &config.DNSCheck{Server: b.Addr, Name: "www.example.test", Type: "A"}, Timeout: 500 * time.Millisecond})
		// UDP to a closed port: the kernel's port-unreachable arrives as
		// "connection refused"; without it the query times out.
		if r.OK || !(strings.Contains(r.Reason, "connection refused") || strings.Contains(r.Reason, "no answer within")) {
			t.Fatalf("got ok=%v reason %q; want a failure saying refused or no answer", r.OK, r.Reason)
		}
	})
	t.Run("server back", func(t *testing.T) {
		b.Restart(t)
		r := probeOnce(t, p, &config.Check{Name: "dns", DNS: &config.DNSCheck{Server: b.Addr, Name: "www.example.test", Type: "A"}, Timeout: time.Second})
		if !r.OK {
			t.Fatalf("after restart: %q", r.Reason)
		}
	})
}
