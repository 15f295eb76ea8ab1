package planner_test

import (
	"maps"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// acmeEstate is an estate after a failover of www from alpha (acme) to
// charlie, bravo having been refused for sharing alpha's vendor:
//
//	providers: alpha (acme, active), bravo (acme, warm),
//	           charlie (cvend, warm), delta (dvend, warm)
//	dns:       acme-dns (vendor acme), desec (vendor desec)
//	services:  www -> alpha, bravo, charlie, delta
func acmeEstate(c *config.Config) {
	ws := func(dir string) *config.Workspace { return &config.Workspace{Dir: dir, Workspace: "default"} }
	c.Providers = []*config.Provider{
		{Name: "alpha", Vendor: "acme", Standby: config.StandbyActive, Terraform: ws("infra/alpha")},
		{Name: "bravo", Vendor: "acme", Standby: config.StandbyWarm, Terraform: ws("infra/bravo")},
		{Name: "charlie", Vendor: "cvend", Standby: config.StandbyWarm, Terraform: ws("infra/charlie")},
		{Name: "delta", Vendor: "dvend", Standby: config.StandbyWarm, Terraform: ws("infra/delta")},
	}
	c.DNS = []*config.DNSProvider{
		{Name: "acme-dns", Type: "rfc2136", Zone: "example.com.", Vendor: "acme"},
		{Name: "desec", Type: "desec", Zone: "example.com.", Vendor: "desec"},
	}
	c.Services = []*config.Service{
		{Checks: webCheck(), Name: "www", Records: []string{"www"}, Candidates: []string{"alpha", "bravo", "charlie", "delta"}},
	}
}

// A lost vendor is not forgotten between operations: while alpha is still
// observed account_lost, acme's bravo is no candidate and acme's DNS is not
// written, whatever provider the request leaves.
func TestLostVendorOutlivesTheOperation(t *testing.T) {
	states := map[string]planner.State{
		"alpha": planner.StateAccountLost, "bravo": planner.StateHealthy,
		"charlie": planner.StateDown, "delta": planner.StateHealthy,
	}
	dns := obs(map[string]planner.State{"acme-dns": planner.StateHealthy, "desec": planner.StateHealthy})
	placement := map[string]string{"www": "charlie"}
	const why = "vendor acme: alpha is observed account_lost (API says: account suspended)"
	rejected := map[string]string{"alpha": "account", "bravo": why + "; same blast radius", "charlie": "current placement"}
	toDelta := svcWant{action: planner.ActionMove, to: "delta", rejected: rejected, dns: []string{"desec"},
		warn: []string{"dns acme-dns left out of the cutover: " + why}}
	toBravo := svcWant{action: planner.ActionMove, to: "bravo", reason: "named by the request", dns: []string{"desec"},
		warn: []string{why + "; bravo shares that vendor, allowed because the request names it",
			"dns acme-dns left out of the cutover: " + why}}
	// alpha is not being left by these plans, so its rejection is for its
	// own state ("account lost ..."), or for being left when it is.
	cases := []planCase{
		{name: "automatic", req: planner.Request{Kind: planner.KindAutomatic},
			wantLost: []string{"alpha", "charlie"}, wantServices: map[string]svcWant{"www": withRejected(toDelta, "alpha", "lost provider")}},
		{name: "automatic from charlie", req: planner.Request{Kind: planner.KindAutomatic, From: "charlie"},
			wantLost: []string{"charlie"}, wantServices: map[string]svcWant{"www": toDelta}},
		{name: "manual from charlie", req: planner.Request{Kind: planner.KindManual, From: "charlie"},
			wantLost: []string{"charlie"}, wantServices: map[string]svcWant{"www": toDelta}},
		{name: "manual for the service", req: planner.Request{Kind: planner.KindManual, Service: "www"},
			wantLost: []string{"charlie"}, wantServices: map[string]svcWant{"www": toDelta}},
		{name: "manual from charlie to bravo", req: planner.Request{Kind: planner.KindManual, From: "charlie", To: "bravo"},
			wantLost: []string{"charlie"}, wantServices: map[string]svcWant{"www": toBravo}},
		{name: "manual for the service to bravo", req: planner.Request{Kind: planner.KindManual, Service: "www", To: "bravo"},
			wantLost: []string{"charlie"}, wantServices: map[string]svcWant{"www": toBravo}},
	}
	for i := range cases {
		cases[i].mod, cases[i].states, cases[i].dns, cases[i].placement = acmeEstate, states, dns, placement
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := planner.Plan(tc.input())
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			checkPlan(t, tc, res)
			for _, d := range res.Services[0].DNS {
				if d.LostVendor != (d.Name == "acme-dns") {
					t.Errorf("dns %s: LostVendor = %v", d.Name, d.LostVendor)
				}
			}
		})
	}
}

// Failback obeys the same rule: the preferred provider is refused while
// another account at its vendor is observed lost.
func TestFailbackRefusesALostVendor(t *testing.T) {
	runResultCases(t, []resultCase{{planCase: planCase{
		name:      "preferred aws while aws-eu is account_lost",
		states:    with("aws-eu", planner.StateAccountLost),
		placement: map[string]string{"www": "hetzner", "api": "hetzner"},
		req:       planner.Request{Kind: planner.KindFailback, Service: "api"},
		wantServices: map[string]svcWant{
			"api": {action: planner.ActionBlocked, reason: "failback waits",
				rejected: map[string]string{"aws": "vendor amazon: aws-eu is observed account_lost"}},
		},
	}}})
}

func withRejected(w svcWant, provider, reason string) svcWant {
	r := maps.Clone(w.rejected)
	r[provider] = reason
	w.rejected = r
	return w
}
