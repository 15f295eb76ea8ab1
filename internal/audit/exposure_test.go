package audit_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

func TestExposure(t *testing.T) {
	const high = audit.High
	publish := func(dns string, rs ...audit.Record) func(*audit.Facts) {
		return func(f *audit.Facts) { f.Published[dns] = append(f.Published[dns], rs...) }
	}
	runCases(t, audit.CheckExposure, []checkCase{
		{name: "clean: only the primary's address is published"},
		{
			name:  "a standby's address under a name",
			facts: publish("desec", audit.Record{Name: "backup", Type: "A", Value: "198.51.100.20"}),
			want:  map[string]audit.Severity{"exposure.desec.digitalocean.backup": high},
			evidence: map[string][]string{
				"exposure.desec.digitalocean.backup": {"backup A 198.51.100.20 at dns desec (zone example.org.) is an address of digitalocean", "remove the record backup from dns desec"},
			},
		},
		{
			// Addresses from the configuration count too, and an IPv6
			// address matches however it is written.
			name: "a configured standby address at the apex, A and AAAA in one finding",
			src:  patch(t, "  standby      = \"cold\"\n", "  standby      = \"cold\"\n  addresses    = [\"2001:db8::20\"]\n"),
			facts: publish("cloudflare",
				audit.Record{Name: "@", Type: "AAAA", Value: "2001:0db8:0:0::0020"},
				audit.Record{Name: "@", Type: "A", Value: "198.51.100.20"}),
			want: map[string]audit.Severity{"exposure.cloudflare.digitalocean.apex": high},
			evidence: map[string][]string{
				"exposure.cloudflare.digitalocean.apex": {"@ A 198.51.100.20", "@ AAAA 2001:0db8:0:0::0020"},
			},
		},
		{
			name: "a CNAME to a standby's host name",
			facts: func(f *audit.Facts) {
				f.Addresses["digitalocean"] = []string{"lb.do.example.net"}
				f.Published["cloudflare"] = append(f.Published["cloudflare"], audit.Record{Name: "status", Type: "CNAME", Value: "LB.do.example.net."})
			},
			want: map[string]audit.Severity{"exposure.cloudflare.digitalocean.status": high},
		},
		{
			name: "after a failover the old primary is the standby",
			facts: func(f *audit.Facts) {
				f.Placement = map[string]string{"www": "digitalocean"}
				f.Published = map[string][]audit.Record{
					"cloudflare": {{Name: "www", Type: "A", Value: "198.51.100.20"}, {Name: "old", Type: "A", Value: "192.0.2.10"}},
				}
			},
			want: map[string]audit.Severity{"exposure.cloudflare.hetzner.old": high},
		},
		{
			name:  "records not read",
			facts: func(f *audit.Facts) { f.Published = nil; f.Addresses["digitalocean"] = []string{"192.0.2.10"} },
		},
	})
}
