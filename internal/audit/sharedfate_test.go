package audit_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

func TestSharedFate(t *testing.T) {
	const high, medium, low = audit.High, audit.Medium, audit.Low
	cloudflareAt := func(v string) [2]string {
		return [2]string{"type         = \"cloudflare\"\n", "type         = \"cloudflare\"\n  vendor = \"" + v + "\"\n"}
	}
	desecAt := func(v string) [2]string {
		return [2]string{"type         = \"desec\"\n", "type         = \"desec\"\n  vendor = \"" + v + "\"\n"}
	}
	p := func(pairs ...[2]string) string {
		var flat []string
		for _, pr := range pairs {
			flat = append(flat, pr[0], pr[1])
		}
		return patch(t, flat...)
	}
	runCases(t, audit.CheckSharedFate, []checkCase{
		{name: "clean"},
		{
			name: "every DNS block at the primary's vendor",
			src:  p(cloudflareAt("hetzner"), desecAt("hetzner")),
			want: map[string]audit.Severity{
				"shared-fate.dns.cloudflare.www": high,
				"shared-fate.dns.desec.www":      high,
				"dns-vendor.example.org":         high,
				// The NS hosts are those the two blocks list, now both hetzner's.
				"delegation.example.org": high,
			},
			evidence: map[string][]string{
				"shared-fate.dns.desec.www": {"www runs on hetzner (vendor hetzner)", "www uses 2 dns block(s), 2 at hetzner", "dns.vendor"},
				"dns-vendor.example.org":    {"dns cloudflare: vendor hetzner", "dns desec: vendor hetzner"},
				"delegation.example.org":    {"NS ada.ns.cloudflare.com: vendor hetzner (a nameserver of dns cloudflare)"},
			},
		},
		{
			name: "one DNS block of two at the primary's vendor",
			src:  p(desecAt("hetzner")),
			want: map[string]audit.Severity{"shared-fate.dns.desec.www": medium},
		},
		{
			name: "a DNS block the service does not use",
			src: p(desecAt("hetzner"), [2]string{`candidates = ["hetzner", "digitalocean"]`,
				"candidates = [\"hetzner\", \"digitalocean\"]\n  dns = [\"cloudflare\"]"}),
			want: map[string]audit.Severity{},
		},
		{
			name: "the primary is where the service runs now",
			src:  p(cloudflareAt("digitalocean")),
			facts: func(f *audit.Facts) {
				f.Placement = map[string]string{"www": "digitalocean"}
				f.Published = nil
			},
			want: map[string]audit.Severity{"shared-fate.dns.cloudflare.www": medium},
		},
		{
			// The primary's own state is not needed to leave it; the
			// standby's is.
			name: "a standby's terraform state at the primary's vendor",
			facts: func(f *audit.Facts) {
				f.Backends["hetzner"] = audit.Backend{Type: "s3", Vendor: "hetzner", Detail: "bucket st at fsn1.your-objectstorage.com"}
				f.Backends["digitalocean"] = audit.Backend{Type: "s3", Vendor: "hetzner", Detail: "bucket st at fsn1.your-objectstorage.com"}
			},
			want: map[string]audit.Severity{"shared-fate.tfstate.digitalocean.www": high},
			evidence: map[string][]string{
				"shared-fate.tfstate.digitalocean.www": {"backend of digitalocean: type s3, bucket st at fsn1.your-objectstorage.com, vendor hetzner"},
			},
		},
		{
			name: "local state and the journal on a machine at the primary's vendor",
			src:  patch(t, `vendor       = "ovh"`, `vendor       = "hetzner"`),
			facts: func(f *audit.Facts) {
				f.Backends["digitalocean"] = audit.Backend{Type: "local"}
			},
			want: map[string]audit.Severity{
				"shared-fate.tfstate.digitalocean.www": high,
				"shared-fate.journal.www":              high,
			},
			evidence: map[string][]string{"shared-fate.journal.www": {"state.vendor is hetzner"}},
		},
		{
			name: "a state holder that is not known",
			facts: func(f *audit.Facts) {
				f.Backends["digitalocean"] = audit.Backend{Type: "http", Detail: "address state.internal.example"}
			},
			want: map[string]audit.Severity{"shared-fate.tfstate-unknown.digitalocean": low},
			evidence: map[string][]string{
				"shared-fate.tfstate-unknown.digitalocean": {"provider.terraform.state_vendor", "type http, address state.internal.example, vendor unknown"},
			},
		},
		{
			name: "where the journal lives is not said",
			src:  patch(t, "  vendor       = \"ovh\"\n", ""),
			want: map[string]audit.Severity{"shared-fate.journal-unknown": low},
		},
		{
			name: "local state with the journal's vendor not said",
			src:  patch(t, "  vendor       = \"ovh\"\n", ""),
			facts: func(f *audit.Facts) {
				f.Backends["digitalocean"] = audit.Backend{Type: "local"}
			},
			want: map[string]audit.Severity{
				"shared-fate.journal-unknown":              low,
				"shared-fate.tfstate-unknown.digitalocean": low,
			},
			evidence: map[string][]string{"shared-fate.tfstate-unknown.digitalocean": {"set state.vendor"}},
		},
		{
			name: "notifications at the primary's vendor",
			src:  patch(t, `vendor = "pagerduty"`, `vendor = "hetzner"`),
			want: map[string]audit.Severity{"shared-fate.notify.ops.www": medium},
		},
		{
			name: "delegated to one vendor's nameservers",
			facts: func(f *audit.Facts) {
				f.Delegation["example.org."] = []string{"BOB.ns.cloudflare.com.", "ada.ns.cloudflare.com:53"}
			},
			want: map[string]audit.Severity{"delegation.example.org": high},
		},
		{
			name: "nameservers no dns block lists are taken by their domain",
			facts: func(f *audit.Facts) {
				f.Delegation["example.org."] = []string{"ns1.example-dns.net.", "ns2.example-dns.net"}
			},
			want: map[string]audit.Severity{"delegation.example.org": high},
			evidence: map[string][]string{
				"delegation.example.org": {"NS ns1.example-dns.net: example-dns.net (no dns block lists it"},
			},
		},
		{
			name: "nameservers named by a dns block's ns_names are its vendor's",
			src: patch(t, `  ns_names     = ["ns1.desec.io", "ns2.desec.org"]`,
				`  ns_names     = ["ns-a.other-domain.example.", "ns-b.third-domain.example."]`),
			facts: func(f *audit.Facts) {
				f.Delegation["example.org."] = []string{"ns-a.other-domain.example.", "ns-b.third-domain.example."}
			},
			want: map[string]audit.Severity{"delegation.example.org": high},
			evidence: map[string][]string{
				"delegation.example.org": {"NS ns-a.other-domain.example: vendor desec (a nameserver of dns desec)"},
			},
		},
		{
			name: "no registrar for a zone at two vendors",
			src:  patch(t, "registrar \"domains\" {\n  type = \"gandi\"\n  zone = \"example.org.\"\n}", ""),
			want: map[string]audit.Severity{"redelegation.example.org": medium},
		},
		{
			name: "a dns block without ns_names",
			src:  patch(t, `  ns_names     = ["ns1.desec.io", "ns2.desec.org"]`, ""),
			want: map[string]audit.Severity{"redelegation-ns.example.org": medium},
			evidence: map[string][]string{
				"redelegation-ns.example.org": {"registrar domains changes the delegation of example.org.; dns desec list no ns_names"},
			},
		},
		{
			name: "the registrar at the primary's vendor",
			src:  patch(t, "  type = \"gandi\"\n  zone = \"example.org.\"", "  type = \"gandi\"\n  vendor = \"hetzner\"\n  zone = \"example.org.\""),
			want: map[string]audit.Severity{"shared-fate.registrar.domains.www": high},
		},
		{
			name:  "unknown nameservers of two domains",
			facts: func(f *audit.Facts) { f.Delegation["example.org."] = []string{"a.ns.one.example", "b.ns.two.example"} },
		},
		{
			name:  "delegation not looked up",
			facts: func(f *audit.Facts) { f.Delegation = nil },
		},
		{
			name: "a zone with one DNS provider",
			src:  patch(t, "zone         = \"example.org.\"\n  jurisdiction = \"DE\"", "zone         = \"example.net.\"\n  jurisdiction = \"DE\""),
			facts: func(f *audit.Facts) {
				f.Delegation["example.net."] = []string{"ns1.desec.io", "ns2.desec.org"}
			},
			// Two unknown-looking domains are still one vendor, by the
			// dns block that lists them.
			want: map[string]audit.Severity{
				"dns-vendor.example.org": high,
				"dns-vendor.example.net": high,
				"delegation.example.net": high,
				// Delegated to cloudflare and to desec, whose block serves
				// another zone: still two vendors.
			},
		},
	})
}
