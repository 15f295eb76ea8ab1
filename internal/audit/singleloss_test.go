package audit_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestSingleLoss(t *testing.T) {
	const crit = audit.Critical
	runCases(t, audit.CheckSingleLoss, []checkCase{
		{name: "clean: every loss leaves a way out"},
		{
			name: "both candidates at one vendor",
			src:  patch(t, "provider \"digitalocean\" {\n", "provider \"digitalocean\" {\n  vendor = \"hetzner\"\n"),
			want: map[string]audit.Severity{
				// The planner rejects a standby at the vendor of a lost provider.
				"single-loss.provider.hetzner.www": crit,
				"single-loss.vendor.hetzner.www":   crit,
				// DE takes hetzner, so vendor hetzner is lost with it.
				"single-loss.jurisdiction.de.www": crit,
			},
			evidence: map[string][]string{
				"single-loss.vendor.hetzner.www": {
					"lost: providers digitalocean, hetzner; dns blocks: none",
					"candidate digitalocean (vendor hetzner): rejected:",
					"service \"www\" candidates (service.candidates)",
				},
			},
		},
		{
			name: "both candidates in one jurisdiction",
			src:  patch(t, "jurisdiction = \"US\"\n  standby", "jurisdiction = \"DE\"\n  standby"),
			want: map[string]audit.Severity{"single-loss.jurisdiction.de.www": crit},
			evidence: map[string][]string{
				"single-loss.jurisdiction.de.www": {"lost: providers digitalocean, hetzner; dns blocks: desec", "www cannot fail over if jurisdiction DE is lost"},
			},
		},
		{
			// A vendor or jurisdiction that loses exactly what the provider's
			// loss loses is one finding, under the narrowest name.
			name: "one candidate: the provider's loss is also its vendor's and jurisdiction's",
			src: patch(t,
				`candidates = ["hetzner", "digitalocean"]`, `candidates = ["hetzner"]`,
				"  jurisdiction = \"DE\"\n  nameservers", "  nameservers"),
			want: map[string]audit.Severity{"single-loss.provider.hetzner.www": crit},
			evidence: map[string][]string{
				"single-loss.provider.hetzner.www": {
					"this is also the loss of vendor hetzner",
					"this is also the loss of jurisdiction DE",
					"no candidate can take www",
				},
			},
		},
		{
			name: "one candidate, its DNS in the same jurisdiction: a wider loss is its own finding",
			src:  patch(t, `candidates = ["hetzner", "digitalocean"]`, `candidates = ["hetzner"]`),
			want: map[string]audit.Severity{
				"single-loss.provider.hetzner.www": crit,
				"single-loss.jurisdiction.de.www":  crit,
			},
		},
		{
			// The planner gives up the DNS at a lost provider's vendor, so
			// the provider's loss is its vendor's: one finding, not two.
			name: "the only DNS block at the primary's vendor",
			src: patch(t,
				"type         = \"desec\"\n", "type         = \"desec\"\n  vendor = \"hetzner\"\n",
				`candidates = ["hetzner", "digitalocean"]`, "candidates = [\"hetzner\", \"digitalocean\"]\n  dns = [\"desec\"]"),
			want: map[string]audit.Severity{"single-loss.provider.hetzner.www": crit},
			evidence: map[string][]string{
				"single-loss.provider.hetzner.www": {
					"lost: provider hetzner; dns blocks at its vendor, which the planner gives up with it: desec",
					"this is also the loss of vendor hetzner",
					"this is also the loss of jurisdiction DE",
					"every DNS provider of www was left out",
				},
			},
		},
		{
			name: "a target but no DNS left to cut over",
			src:  patch(t, `candidates = ["hetzner", "digitalocean"]`, "candidates = [\"hetzner\", \"digitalocean\"]\n  dns = [\"desec\"]"),
			want: map[string]audit.Severity{"single-loss.jurisdiction.de.www": crit},
			evidence: map[string][]string{
				"single-loss.jurisdiction.de.www": {"DNS cutover is impossible", "service.dns", "candidate digitalocean (vendor digitalocean): chosen"},
			},
		},
		{
			// The configuration refuses a service without checks; one built
			// by hand (as a library user might) is still judged.
			name: "a service without a check never moves",
			cfg:  func(c *config.Config) { c.Service("www").Checks = nil },
			want: map[string]audit.Severity{
				"single-loss.provider.hetzner.www": crit,
				"single-loss.jurisdiction.de.www":  crit,
			},
			evidence: map[string][]string{
				"single-loss.provider.hetzner.www": {"this is also the loss of vendor hetzner", "add a check block"},
			},
		},
		{
			name:  "placement decides which loss matters",
			src:   patch(t, `candidates = ["hetzner", "digitalocean"]`, `candidates = ["digitalocean"]`),
			facts: func(f *audit.Facts) { f.Placement = map[string]string{"www": "digitalocean"} },
			want: map[string]audit.Severity{
				"single-loss.provider.digitalocean.www": crit,
				"single-loss.jurisdiction.us.www":       crit,
			},
		},
	})
}
