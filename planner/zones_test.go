package planner_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// delegated is the fixture with a registrar for example.com. and the
// nameserver names of both DNS providers.
func delegated() *config.Config {
	cfg := fixture()
	cfg.DNS[0].NSNames = []string{"ns-1.awsdns.example.", "ns-2.awsdns.example."}
	cfg.DNS[1].NSNames = []string{"ns1.desec.io.", "ns2.desec.org."}
	cfg.Registrars = []*config.Registrar{{Name: "porkbun", Type: "porkbun", Zone: "example.com."}}
	return cfg
}

// apiDown is healthy DNS but for name, down because its API does not
// answer while its nameservers still serve the zone.
func apiDown(name string) map[string]planner.Observation {
	o := healthyDNS()
	o[name] = planner.Observation{State: planner.StateDown, Serving: true, Reason: "its API does not answer: 503"}
	return o
}

func TestZones(t *testing.T) {
	dnsStates := func(route53, desec planner.State) map[string]planner.Observation {
		return obs(map[string]planner.State{"route53": route53, "desec": desec})
	}
	up, down, lost := planner.StateHealthy, planner.StateDown, planner.StateAccountLost
	cases := []struct {
		name      string
		cfg       func(*config.Config)
		hosts     map[string]planner.State
		dns       map[string]planner.Observation
		req       planner.Request
		action    planner.ZoneAction // "" means no zone plan
		keep      []string
		ns        []string
		lost      []string
		reasonHas string
		note      string // a plan note that must be there
	}{
		{name: "every DNS provider answers: nothing to re-delegate", hosts: allHealthy(), dns: dnsStates(up, up),
			req: planner.Request{Kind: planner.KindManual}},
		{name: "a DNS provider down: delegate to the other only", hosts: allHealthy(), dns: dnsStates(down, up),
			req: planner.Request{Kind: planner.KindManual}, action: planner.ZoneRedelegate,
			keep: []string{"desec"}, ns: []string{"ns1.desec.io.", "ns2.desec.org."}, lost: []string{"route53"}},
		{name: "the DNS provider's vendor lost its hosting account: it is left too", hosts: with("aws", lost), dns: dnsStates(up, up),
			req: planner.Request{Kind: planner.KindManual}, action: planner.ZoneRedelegate,
			keep: []string{"desec"}, lost: []string{"route53"}, ns: []string{"ns1.desec.io.", "ns2.desec.org."},
			reasonHas: "vendor amazon: aws is observed account_lost"},
		{name: "automatic with auto_redelegate off: held for a person", hosts: allHealthy(), dns: dnsStates(up, down),
			req: planner.Request{Kind: planner.KindAutomatic}, action: planner.ZoneHeld,
			keep: []string{"route53"}, lost: []string{"desec"}, reasonHas: "policy.auto_redelegate is off"},
		{name: "automatic with auto_redelegate on", cfg: func(c *config.Config) { c.Policy.AutoRedelegate = true },
			hosts: allHealthy(), dns: dnsStates(up, down), req: planner.Request{Kind: planner.KindAutomatic},
			action: planner.ZoneRedelegate, keep: []string{"route53"}, lost: []string{"desec"},
			ns: []string{"ns-1.awsdns.example.", "ns-2.awsdns.example."}},
		{name: "every DNS provider lost: blocked", hosts: allHealthy(), dns: dnsStates(down, lost),
			req: planner.Request{Kind: planner.KindManual}, action: planner.ZoneBlocked,
			lost: []string{"desec", "route53"}, reasonHas: "no other DNS provider of example.com. with ns_names remains"},
		{name: "the survivor has no ns_names: blocked", cfg: func(c *config.Config) { c.DNS[1].NSNames = nil },
			hosts: allHealthy(), dns: dnsStates(down, up), req: planner.Request{Kind: planner.KindManual},
			action: planner.ZoneBlocked, lost: []string{"route53"}},
		{name: "no registrar: no zone plan, a note for a person", cfg: func(c *config.Config) { c.Registrars = nil },
			hosts: allHealthy(), dns: dnsStates(down, up), req: planner.Request{Kind: planner.KindManual},
			note: "zone example.com. has no registrar block: its delegation still names route53; change its NS records at the registrar by hand"},
		{name: "a drill never re-delegates", hosts: allHealthy(), dns: dnsStates(down, up),
			req: planner.Request{Kind: planner.KindDrill, Service: "www"}},
		{name: "a failback never re-delegates", hosts: allHealthy(), dns: dnsStates(down, up),
			req: planner.Request{Kind: planner.KindFailback}},
		{name: "a service in another zone does not re-delegate this one",
			cfg: func(c *config.Config) {
				c.DNS = append(c.DNS, &config.DNSProvider{Name: "other", Type: "desec", Zone: "example.org."})
				c.Services[1].DNS = []string{"other"}
			},
			hosts: allHealthy(), dns: dnsStates(down, up), req: planner.Request{Kind: planner.KindManual, Service: "api"}},
		{name: "zones only: the zone is re-delegated and no service moves off the lost host", cfg: func(c *config.Config) { c.Policy.AutoRedelegate = true },
			hosts: with("aws", down), dns: dnsStates(up, up), req: planner.Request{Kind: planner.KindAutomatic, ZonesOnly: true},
			action: planner.ZoneRedelegate, keep: []string{"desec"}, lost: []string{"route53"}, ns: []string{"ns1.desec.io.", "ns2.desec.org."}},
		{name: "a DNS provider whose API alone fails still serves: it stays while nothing moves",
			hosts: allHealthy(), dns: apiDown("route53"), req: planner.Request{Kind: planner.KindManual}},
		{name: "a DNS provider whose API alone fails is left when a service moves: its records would be stale",
			cfg: func(c *config.Config) { c.DNS[0].Vendor = "another-dns-company" }, hosts: with("aws", down), dns: apiDown("route53"), req: planner.Request{Kind: planner.KindManual},
			action: planner.ZoneRedelegate, keep: []string{"desec"}, lost: []string{"route53"}, ns: []string{"ns1.desec.io.", "ns2.desec.org."}},
		{name: "no registrar and an API-only failure: no note while nothing moves", cfg: func(c *config.Config) { c.Registrars = nil },
			hosts: allHealthy(), dns: apiDown("route53"), req: planner.Request{Kind: planner.KindManual}},
		{name: "a service of the zone re-delegates it", hosts: allHealthy(), dns: dnsStates(down, up),
			req: planner.Request{Kind: planner.KindManual, Service: "www"}, action: planner.ZoneRedelegate,
			keep: []string{"desec"}, lost: []string{"route53"}, ns: []string{"ns1.desec.io.", "ns2.desec.org."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := delegated()
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			res, err := planner.Plan(planner.Input{Config: cfg, Providers: obs(tc.hosts), DNS: tc.dns,
				Placement: placedOnPrimary(), Request: tc.req})
			if err != nil {
				t.Fatal(err)
			}
			if tc.note != "" && !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q, want one saying %q", res.Notes, tc.note)
			}
			if tc.note == "" && slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "no registrar block") }) {
				t.Errorf("notes %q name a missing registrar", res.Notes)
			}
			if tc.action == "" {
				if len(res.Zones) != 0 {
					t.Fatalf("zones %+v, want none", res.Zones)
				}
				return
			}
			if len(res.Zones) != 1 {
				t.Fatalf("zones %+v, want one", res.Zones)
			}
			z := res.Zones[0]
			if z.Action != tc.action || z.Zone != "example.com." || z.Registrar != "porkbun" {
				t.Fatalf("zone %s at %s: %s (%s), want %s", z.Zone, z.Registrar, z.Action, z.Reason, tc.action)
			}
			var lostNames []string
			for _, l := range z.Lost {
				lostNames = append(lostNames, l.Name)
			}
			if !slices.Equal(lostNames, tc.lost) || !slices.Equal(z.Keep, tc.keep) {
				t.Errorf("lost %q keep %q, want %q and %q", lostNames, z.Keep, tc.lost, tc.keep)
			}
			if !strings.Contains(z.Reason, tc.reasonHas) {
				t.Errorf("reason %q does not say %q", z.Reason, tc.reasonHas)
			}
			if res.Settled() {
				t.Error("a plan with a zone to re-delegate is not settled")
			}
			if tc.req.ZonesOnly && (len(res.Services) != 0 || res.Unaffected != 2) {
				t.Errorf("zones only: services %+v, %d unaffected; want none listed", res.Services, res.Unaffected)
			}
			switch z.Action {
			case planner.ZoneRedelegate:
				if len(z.Steps) != 1 || z.Steps[0].Kind != planner.StepRedelegate || !slices.Equal(z.Steps[0].NS, tc.ns) ||
					!slices.Equal(z.Steps[0].DNS, tc.keep) || z.Steps[0].Zone != "example.com." {
					t.Errorf("steps %+v, want one redelegate to %q", z.Steps, tc.ns)
				}
				if res.Work() != res.Moves()+1 {
					t.Errorf("work %d, moves %d: the re-delegation is work", res.Work(), res.Moves())
				}
			default:
				if len(z.Steps) != 0 || res.Redelegations() != 0 {
					t.Errorf("a %s zone has steps %+v", z.Action, z.Steps)
				}
			}
		})
	}
}
