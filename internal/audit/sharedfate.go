package audit

import (
	"fmt"
	"strings"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// sharedFate finds what a service needs to fail over that sits at the
// same vendor as the provider it runs on now: when that vendor goes, it
// goes too.
func sharedFate(a *auditor) []Finding {
	var out []Finding
	for _, s := range a.services {
		prim := a.cfg.Provider(a.primary(s))
		if prim == nil {
			continue
		}
		v := prim.VendorName()
		out = append(out, a.dnsFate(s, prim.Name, v)...)
		out = append(out, a.stateFate(s, prim.Name, v)...)
		out = append(out, a.backupFate(s, prim.Name, v)...)
		if a.cfg.State.Vendor == v {
			out = append(out, Finding{
				ID: id(CheckSharedFate, "journal", s.Name), Check: CheckSharedFate, Severity: High,
				Title: fmt.Sprintf("the journal is at %s, the vendor %s runs on", v, s.Name),
				Evidence: []string{
					fmt.Sprintf("%s runs on %s (vendor %s)", s.Name, prim.Name, v),
					fmt.Sprintf("state.vendor is %s: the journal (placement, operations) goes with it", a.cfg.State.Vendor),
				},
				Fix: "run lifeboat (and its journal, state.path or state.etcd) at a vendor that hosts none of the services, and set state.vendor",
			})
		}
		for _, n := range a.cfg.Notify {
			if n != nil && n.Vendor != "" && n.Vendor == v {
				out = append(out, Finding{
					ID: id(CheckSharedFate, "notify", n.Name, s.Name), Check: CheckSharedFate, Severity: Medium,
					Title: fmt.Sprintf("notify %s is at %s, the vendor %s runs on", n.Name, v, s.Name),
					Evidence: []string{
						fmt.Sprintf("%s runs on %s (vendor %s)", s.Name, prim.Name, v),
						fmt.Sprintf("notify %s: vendor %s", n.Name, n.Vendor),
					},
					Fix: fmt.Sprintf("send notify %q to an endpoint at another vendor (notify.vendor), or add a second notify block elsewhere", n.Name),
				})
			}
		}
	}
	if a.cfg.State.Vendor == "" {
		out = append(out, Finding{
			ID: id(CheckSharedFate, "journal-unknown"), Check: CheckSharedFate, Severity: Low,
			Title:    "where the journal lives is not said",
			Evidence: []string{"state.vendor is not set: the audit cannot tell whether the journal shares a vendor with a service"},
			Fix:      "set state.vendor (and state.jurisdiction) to where the machine running lifeboat, or the etcd cluster, is hosted",
		})
	}
	return append(out, a.stateUnknown()...)
}

// dnsFate: the dns blocks s writes to at v, the vendor of its primary.
func (a *auditor) dnsFate(s *config.Service, prim, v string) []Finding {
	uses := a.serviceDNS(s)
	var at []*config.DNSProvider
	for _, d := range uses {
		if d.VendorName() == v {
			at = append(at, d)
		}
	}
	var out []Finding
	for _, d := range at {
		sev, how := Medium, "another of its dns blocks is elsewhere, but the cutover loses this one"
		if len(at) == len(uses) {
			sev, how = High, "every dns block it uses is there: losing the vendor loses both the host and the means to move"
		}
		out = append(out, Finding{
			ID: id(CheckSharedFate, "dns", d.Name, s.Name), Check: CheckSharedFate, Severity: sev,
			Title: fmt.Sprintf("dns %s is at %s, the vendor %s runs on", d.Name, v, s.Name),
			Evidence: []string{
				fmt.Sprintf("%s runs on %s (vendor %s)", s.Name, prim, v),
				fmt.Sprintf("dns %s (zone %s): vendor %s", d.Name, d.Zone, d.VendorName()),
				fmt.Sprintf("%s uses %d dns block(s), %d at %s: %s", s.Name, len(uses), len(at), v, how),
			},
			Fix: fmt.Sprintf("serve the zone from a DNS vendor other than %s (a dns block with another dns.vendor) and list it in service %q dns (service.dns), or leave it out to use every dns block", v, s.Name),
		})
	}
	return out
}

// backendVendor says who holds a workspace's state; "" when not known. A
// local state file is on the machine that runs lifeboat.
func (a *auditor) backendVendor(b Backend) string {
	if b.Vendor != "" {
		return b.Vendor
	}
	if b.Type == "" || b.Type == "local" {
		return a.cfg.State.Vendor
	}
	return ""
}

// stateFate: the state of a standby's workspace at v. The primary's own
// state is left out: a failover away from it never applies it.
func (a *auditor) stateFate(s *config.Service, prim, v string) []Finding {
	var out []Finding
	for _, c := range s.Candidates {
		b, ok := a.f.Backends[c]
		if c == prim || !ok || a.backendVendor(b) != v {
			continue
		}
		out = append(out, Finding{
			ID: id(CheckSharedFate, "tfstate", c, s.Name), Check: CheckSharedFate, Severity: High,
			Title: fmt.Sprintf("the terraform state of %s is at %s, the vendor %s runs on", c, v, s.Name),
			Evidence: []string{
				fmt.Sprintf("%s runs on %s (vendor %s); %s is a candidate to fail over to", s.Name, prim, v, c),
				"backend of " + c + ": " + describeBackend(b, a.backendVendor(b)),
				"applying " + c + " needs its state: without it a failover cannot bring the standby up",
			},
			Fix: fmt.Sprintf("move the state of %s's workspace to a vendor other than %s (its backend block), and say where with provider.terraform.state_vendor when the backend does not", c, v),
		})
	}
	return out
}

// stateUnknown: a workspace whose state holder is not known, once per provider.
func (a *auditor) stateUnknown() []Finding {
	var out []Finding
	for _, p := range a.providers {
		b, ok := a.f.Backends[p.Name]
		if !ok || a.backendVendor(b) != "" {
			continue
		}
		fix := fmt.Sprintf("set provider.terraform.state_vendor of %q to the vendor holding its state", p.Name)
		if b.Type == "" || b.Type == "local" {
			fix = "set state.vendor: a local state file is on the machine that runs lifeboat"
		}
		out = append(out, Finding{
			ID: id(CheckSharedFate, "tfstate-unknown", p.Name), Check: CheckSharedFate, Severity: Low,
			Title:    "who holds the terraform state of " + p.Name + " is not known",
			Evidence: []string{"backend of " + p.Name + ": " + describeBackend(b, "")},
			Fix:      fix,
		})
	}
	return out
}

func describeBackend(b Backend, vendor string) string {
	parts := []string{"type " + orDefault(b.Type, "local")}
	if b.Detail != "" {
		parts = append(parts, b.Detail)
	}
	parts = append(parts, "vendor "+orDefault(vendor, "unknown"))
	return strings.Join(parts, ", ")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
