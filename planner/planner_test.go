package planner_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// svcWant is what a case expects of one service's plan.
type svcWant struct {
	action planner.Action
	to     string
	// reason is a substring of the service's reason.
	reason string
	// rejected maps each rejected candidate to a substring of its reason;
	// the set of rejected candidates must match exactly.
	rejected map[string]string
	// dns is the exact list of DNS providers the cutover uses.
	dns []string
	// warn are substrings each expected in one warning.
	warn []string
	// steps are the expected step IDs; nil means the seven steps of a
	// move, or none when the service does not move.
	steps []string
	// settled is the service's Settled mark.
	settled bool
}

type planCase struct {
	name      string
	mod       func(*config.Config)
	states    map[string]planner.State
	provObs   map[string]planner.Observation // overrides states when set
	dns       map[string]planner.Observation
	placement map[string]string
	data      map[string]map[string]planner.DataObservation
	req       planner.Request

	wantErr        error
	wantLost       []string
	wantServices   map[string]svcWant // exactly these services are listed
	wantUnaffected int
	wantNote       string
	wantNoNote     string // no note may contain it
}

func fullSteps(svc, to string) []string {
	var ids []string
	for _, k := range []string{"prepare", "apply", "read-outputs", "wait-healthy", "dns-cutover", "verify-dns", "notify"} {
		ids = append(ids, svc+"/"+to+"/"+k)
	}
	return ids
}

func TestPlanSituations(t *testing.T) {
	auto := planner.Request{Kind: planner.KindAutomatic}
	cases := []planCase{
		{
			name:     "primary lost with healthy standby",
			states:   with("aws", planner.StateDown),
			req:      auto,
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", reason: "first ready candidate",
					rejected: map[string]string{"aws": "current placement"}, dns: []string{"desec"}},
				"api": {action: planner.ActionMove, to: "hetzner",
					rejected: map[string]string{"aws": "current placement", "aws-eu": "vendor amazon: aws is observed down (3 of 3 checks failed); same blast radius"},
					dns:      []string{"desec"}},
			},
		},
		{
			name:     "standby down too",
			states:   with("aws", planner.StateDown, "hetzner", planner.StateDown, "ovh", planner.StateUnknown),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws", "hetzner"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, reason: "no candidate can take www",
					rejected: map[string]string{"aws": "current placement", "hetzner": "lost provider",
						"ovh": "cold standby with health unknown and its control plane not confirmed"}},
			},
		},
		{
			name: "all candidates at one vendor",
			mod: func(c *config.Config) {
				c.Services = append(c.Services, &config.Service{Checks: webCheck(), Name: "solo", Records: []string{"solo"}, Candidates: []string{"aws", "aws-eu"}})
			},
			states:         with("aws", planner.StateDown),
			req:            planner.Request{Kind: planner.KindAutomatic, Service: "solo"},
			wantLost:       []string{"aws"},
			wantServices:   map[string]svcWant{"solo": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "current", "aws-eu": "same blast radius"}}},
			wantUnaffected: 0,
		},
		{
			name:     "To a down provider is refused, not replaced",
			states:   with("aws", planner.StateDown, "hetzner", planner.StateDown),
			req:      planner.Request{Kind: planner.KindManual, From: "aws", To: "hetzner"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, reason: "requested target hetzner is refused: down",
					rejected: map[string]string{"aws": "current", "hetzner": "down (3 of 3 checks failed)"}},
				"api": {action: planner.ActionBlocked, reason: "refused",
					rejected: map[string]string{"aws": "current", "hetzner": "down"}},
			},
		},
		{
			name:    "To an unknown provider name",
			states:  allHealthy(),
			req:     planner.Request{Kind: planner.KindManual, From: "aws", To: "digitalocean"},
			wantErr: planner.ErrUnknownProvider,
		},
		{
			name:     "To a provider in unknown state",
			states:   with("aws", planner.StateDown, "ovh", planner.StateUnknown),
			req:      planner.Request{Kind: planner.KindManual, Service: "www", To: "ovh"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "current", "ovh": "health unknown"}},
			},
		},
		{
			name:      "To account_lost provider",
			states:    with("aws", planner.StateDown, "hetzner", planner.StateAccountLost),
			placement: placedOnPrimary(),
			req:       planner.Request{Kind: planner.KindManual, Service: "www", To: "hetzner"},
			wantLost:  []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "current", "hetzner": "account lost (API says: account suspended)"}},
			},
		},
		{
			name:      "failback to the healthy preferred provider",
			states:    allHealthy(),
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       planner.Request{Kind: planner.KindFailback},
			wantNote:  "never automatic",
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "aws", reason: "failback to aws", dns: []string{"desec", "route53"}},
			},
			wantUnaffected: 1,
		},
		{
			name:      "failback when the preferred provider is still down",
			states:    with("aws", planner.StateDown),
			placement: map[string]string{"www": "hetzner", "api": "hetzner"},
			req:       planner.Request{Kind: planner.KindFailback},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, reason: "failback waits", rejected: map[string]string{"aws": "down"}},
				"api": {action: planner.ActionBlocked, reason: "failback waits", rejected: map[string]string{"aws": "down"}},
			},
		},
		{
			name:      "failback to a preferred provider of unknown health whose control plane answers",
			states:    allHealthy(),
			provObs:   map[string]planner.Observation{"aws": {State: planner.StateUnknown, ControlPlaneOK: true}, "hetzner": {State: planner.StateHealthy}},
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       planner.Request{Kind: planner.KindFailback, Service: "www"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "aws"},
			},
		},
		{
			name:      "failback refuses a preferred provider of unknown health without a control plane",
			states:    allHealthy(),
			provObs:   map[string]planner.Observation{"aws": {State: planner.StateUnknown}, "hetzner": {State: planner.StateHealthy}},
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       planner.Request{Kind: planner.KindFailback, Service: "www"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "health unknown"}},
			},
		},
		{
			name:   "a service without checks is blocked, never moved blind",
			states: with("aws", planner.StateDown),
			mod: func(c *config.Config) {
				c.Services = append(c.Services, &config.Service{Name: "blind", Records: []string{"blind"}, Candidates: []string{"aws", "hetzner"}})
			},
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "blind"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"blind": {action: planner.ActionBlocked, to: "hetzner", reason: "no check block"},
			},
		},
		{
			name:      "failback refuses a degraded preferred provider",
			states:    with("aws", planner.StateDegraded),
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       planner.Request{Kind: planner.KindFailback, Service: "www"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "failback waits until it is healthy"}},
			},
		},
		{
			name:     "DNS provider at the lost vendor is left out",
			states:   with("aws", planner.StateDown),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", dns: []string{"desec"},
					warn: []string{"dns route53 left out of the cutover: vendor amazon: aws is observed down"}},
			},
		},
		{
			name: "second DNS provider down",
			mod: func(c *config.Config) {
				c.DNS = append(c.DNS, &config.DNSProvider{Name: "knot", Type: "rfc2136", Zone: "example.com."})
			},
			states:   with("aws", planner.StateDown),
			dns:      obs(map[string]planner.State{"route53": planner.StateHealthy, "desec": planner.StateDown, "knot": planner.StateHealthy}),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", dns: []string{"knot"},
					warn: []string{"dns desec left out of the cutover: down (3 of 3 checks failed)", "dns route53 left out"}},
			},
		},
		{
			name:     "all DNS providers down: cutover impossible",
			states:   with("aws", planner.StateDown),
			dns:      obs(map[string]planner.State{"route53": planner.StateDown, "desec": planner.StateDown}),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, to: "hetzner", reason: "DNS cutover is impossible",
					rejected: map[string]string{"aws": "current"}},
			},
		},
		{
			name: "several services sharing candidates each get their own plan",
			mod: func(c *config.Config) {
				c.Services = append(c.Services, &config.Service{Checks: webCheck(), Name: "blog", Records: []string{"blog"}, Candidates: []string{"aws", "ovh", "hetzner"}})
			},
			states:   with("aws", planner.StateDown, "ovh", planner.StateDown),
			req:      auto,
			wantLost: []string{"aws", "ovh"},
			wantServices: map[string]svcWant{
				"www":  {action: planner.ActionMove, to: "hetzner", rejected: map[string]string{"aws": "current", "ovh": "lost provider"}},
				"api":  {action: planner.ActionMove, to: "hetzner", rejected: map[string]string{"aws": "current", "aws-eu": "vendor amazon: aws is "}},
				"blog": {action: planner.ActionMove, to: "hetzner", rejected: map[string]string{"aws": "current", "ovh": "lost provider"}},
			},
		},
		{
			name:           "no service affected",
			states:         allHealthy(),
			req:            auto,
			wantNote:       "nothing to do",
			wantUnaffected: 2,
		},
		{
			name:     "account_lost primary",
			states:   with("aws", planner.StateAccountLost),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "api"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"api": {action: planner.ActionMove, to: "hetzner", rejected: map[string]string{"aws": "current", "aws-eu": "vendor amazon: aws is "}},
			},
		},
		{
			name:           "degraded primary: no automatic failover",
			states:         with("aws", planner.StateDegraded),
			req:            auto,
			wantNote:       "aws is degraded (1 of 2 checks failed): automatic failover waits until it is down or account_lost; 2 service(s) on it stay",
			wantUnaffected: 2,
		},
		{
			name:   "warm standby with unknown health but control plane OK",
			states: with("aws", planner.StateDown),
			provObs: map[string]planner.Observation{
				"aws":     {State: planner.StateDown},
				"hetzner": {State: planner.StateUnknown, ControlPlaneOK: true},
				"ovh":     {State: planner.StateHealthy},
			},
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", rejected: map[string]string{"aws": "current"}},
			},
		},
		{
			name: "cold standby takes the service when the warm one is down",
			provObs: map[string]planner.Observation{
				"aws":     {State: planner.StateDown},
				"hetzner": {State: planner.StateDown, Reason: "no answer"},
				"ovh":     {State: planner.StateUnknown, ControlPlaneOK: true},
			},
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws", "hetzner"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "ovh", rejected: map[string]string{"aws": "current", "hetzner": "lost provider"}},
			},
		},
		{
			name:   "active provider with unknown health is rejected",
			states: with("aws", planner.StateDown, "hetzner", planner.StateUnknown, "ovh", planner.StateDown),
			mod: func(c *config.Config) {
				c.Provider("hetzner").Standby = config.StandbyActive
			},
			provObs: map[string]planner.Observation{
				"aws": {State: planner.StateDown}, "hetzner": {State: planner.StateUnknown, ControlPlaneOK: true}, "ovh": {State: planner.StateDown},
			},
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws", "ovh"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "current", "hetzner": "an active provider must be observed healthy", "ovh": "lost"}},
			},
		},
		{
			name:      "From naming a provider the service is not on",
			states:    allHealthy(),
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       planner.Request{Kind: planner.KindManual, Service: "www", From: "aws"},
			wantLost:  []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "www runs on hetzner, not on aws", settled: true},
			},
		},
		{
			name:     "service filter",
			states:   with("aws", planner.StateDown),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "api"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"api": {action: planner.ActionMove, to: "hetzner"},
			},
		},
		{
			name:     "explicit To at the lost vendor is allowed with a warning",
			states:   with("aws", planner.StateDown),
			req:      planner.Request{Kind: planner.KindManual, Service: "api", To: "aws-eu"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"api": {action: planner.ActionMove, to: "aws-eu", reason: "named by the request",
					warn: []string{"vendor amazon: aws is observed down (3 of 3 checks failed); aws-eu shares that vendor, allowed because the request names it"}},
			},
		},
		{
			name:     "manual request when nothing is lost",
			states:   allHealthy(),
			req:      planner.Request{Kind: planner.KindManual},
			wantNote: "no provider is down or account_lost; name a provider",
			// Nothing in scope is touched, so both are unaffected.
			wantUnaffected: 2,
		},
		{
			name:     "manual from a healthy provider moves anyway",
			states:   allHealthy(),
			req:      planner.Request{Kind: planner.KindManual, From: "aws"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner"},
				"api": {action: planner.ActionMove, to: "hetzner", rejected: map[string]string{"aws": "current", "aws-eu": "vendor amazon: aws is "}},
			},
		},
		{
			name:     "degraded candidate only when nothing is ready",
			states:   with("aws", planner.StateDown, "hetzner", planner.StateDegraded),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "ovh", rejected: map[string]string{"aws": "current"}},
			},
		},
		{
			name:     "degraded candidate taken with a warning when it is the only one",
			states:   with("aws", planner.StateDown, "hetzner", planner.StateDegraded, "ovh", planner.StateDown),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws", "ovh"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", reason: "no candidate of www is healthy",
					rejected: map[string]string{"aws": "current", "ovh": "lost"},
					warn:     []string{"target hetzner is degraded (1 of 2 checks failed)"}},
			},
		},
		{
			name:     "drill simulates the loss of the current provider",
			states:   allHealthy(),
			req:      planner.Request{Kind: planner.KindDrill, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", dns: []string{"desec"}},
			},
		},
		{
			name:     "drill toward a named target",
			states:   allHealthy(),
			req:      planner.Request{Kind: planner.KindDrill, Service: "www", To: "ovh"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "ovh"},
			},
		},
		{
			name:     "To that is not a candidate of the service",
			states:   with("aws", planner.StateDown),
			req:      planner.Request{Kind: planner.KindManual, Service: "www", To: "aws-eu"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, rejected: map[string]string{"aws": "current", "aws-eu": "not a candidate of www"}},
			},
		},
		{
			name: "target without a workspace uses its addresses",
			mod: func(c *config.Config) {
				h := c.Provider("hetzner")
				h.Terraform, h.Addresses = nil, []string{"192.0.2.10"}
			},
			states:   with("aws", planner.StateDown),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", warn: []string{"no terraform workspace"},
					steps: []string{"www/hetzner/wait-healthy", "www/hetzner/dns-cutover", "www/hetzner/verify-dns", "www/hetzner/notify"}},
			},
		},
		{
			name:     "a service with no placement is assumed on its first candidate",
			states:   with("aws", planner.StateDown),
			req:      planner.Request{Kind: planner.KindAutomatic, Service: "www"},
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner", warn: []string{"no placement recorded for www"}},
			},
		},
		{
			name:    "automatic request with a target",
			states:  allHealthy(),
			req:     planner.Request{Kind: planner.KindAutomatic, To: "hetzner"},
			wantErr: planner.ErrInvalidRequest,
		},
		{
			name:    "unknown service",
			states:  allHealthy(),
			req:     planner.Request{Kind: planner.KindManual, Service: "mail"},
			wantErr: planner.ErrUnknownService,
		},
		{
			name:    "drill without a service",
			states:  allHealthy(),
			req:     planner.Request{Kind: planner.KindDrill},
			wantErr: planner.ErrInvalidRequest,
		},
		{
			name:    "unknown kind",
			states:  allHealthy(),
			req:     planner.Request{Kind: "panic"},
			wantErr: planner.ErrInvalidRequest,
		},
		{
			name:           "automatic with From that is only degraded",
			states:         with("aws", planner.StateDegraded),
			req:            planner.Request{Kind: planner.KindAutomatic, From: "aws"},
			wantNote:       "only moves away from a provider that is down or account_lost",
			wantUnaffected: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := planner.Plan(tc.input())
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			checkPlan(t, tc, res)
		})
	}
}

func (tc planCase) input() planner.Input {
	cfg := fixture()
	if tc.mod != nil {
		tc.mod(cfg)
	}
	prov := tc.provObs
	if prov == nil {
		prov = obs(tc.states)
	}
	dns := tc.dns
	if dns == nil {
		dns = healthyDNS()
	}
	return planner.Input{Config: cfg, Providers: prov, DNS: dns, Placement: tc.placement, Data: tc.data, Request: tc.req}
}

func checkPlan(t *testing.T, tc planCase, res planner.Result) {
	t.Helper()
	var lost []string
	for _, l := range res.Lost {
		lost = append(lost, l.Name)
	}
	if diff := cmp.Diff(tc.wantLost, lost); diff != "" {
		t.Errorf("lost providers (-want +got):\n%s", diff)
	}
	if res.Unaffected != tc.wantUnaffected {
		t.Errorf("unaffected = %d, want %d", res.Unaffected, tc.wantUnaffected)
	}
	if tc.wantNote != "" && !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, tc.wantNote) }) {
		t.Errorf("no note contains %q; notes: %q", tc.wantNote, res.Notes)
	}
	if tc.wantNoNote != "" && slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, tc.wantNoNote) }) {
		t.Errorf("a note contains %q; notes: %q", tc.wantNoNote, res.Notes)
	}
	var names []string
	for _, s := range res.Services {
		names = append(names, s.Service)
	}
	if !slices.IsSorted(names) {
		t.Errorf("services not sorted: %v", names)
	}
	var wantNames []string
	for n := range tc.wantServices {
		wantNames = append(wantNames, n)
	}
	slices.Sort(wantNames)
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Fatalf("listed services (-want +got):\n%s\n%s", diff, res.Text())
	}
	for _, sp := range res.Services {
		w := tc.wantServices[sp.Service]
		ctx := "\n" + res.Text()
		if sp.Action != w.action {
			t.Errorf("%s: action = %s, want %s%s", sp.Service, sp.Action, w.action, ctx)
		}
		if sp.To != w.to {
			t.Errorf("%s: to = %q, want %q", sp.Service, sp.To, w.to)
		}
		if sp.Settled != w.settled {
			t.Errorf("%s: settled = %v, want %v", sp.Service, sp.Settled, w.settled)
		}
		if !strings.Contains(sp.Reason, w.reason) {
			t.Errorf("%s: reason %q does not contain %q", sp.Service, sp.Reason, w.reason)
		}
		if w.rejected != nil {
			got := map[string]string{}
			for _, c := range sp.Rejected() {
				got[c.Provider] = c.Reason
			}
			if len(got) != len(w.rejected) {
				t.Errorf("%s: rejected %q, want %q", sp.Service, got, w.rejected)
			}
			for p, sub := range w.rejected {
				if r, ok := got[p]; !ok || !strings.Contains(r, sub) {
					t.Errorf("%s: rejection of %s = %q, want it to contain %q", sp.Service, p, r, sub)
				}
			}
		}
		if w.dns != nil {
			var used []string
			for _, d := range sp.DNS {
				if d.Use {
					used = append(used, d.Name)
				}
			}
			if diff := cmp.Diff(w.dns, used); diff != "" {
				t.Errorf("%s: DNS used (-want +got):\n%s", sp.Service, diff)
			}
		}
		for _, sub := range w.warn {
			if !slices.ContainsFunc(sp.Warnings, func(x string) bool { return strings.Contains(x, sub) }) {
				t.Errorf("%s: no warning contains %q; warnings: %q", sp.Service, sub, sp.Warnings)
			}
		}
		wantSteps := w.steps
		if wantSteps == nil && w.action == planner.ActionMove {
			wantSteps = fullSteps(sp.Service, sp.To)
		}
		var ids []string
		for _, st := range sp.Steps {
			ids = append(ids, st.ID)
		}
		if diff := cmp.Diff(wantSteps, ids); diff != "" {
			t.Errorf("%s: steps (-want +got):\n%s", sp.Service, diff)
		}
		// Every chosen target is also marked so among the candidates.
		if sp.To != "" && !slices.ContainsFunc(sp.Candidates, func(c planner.Candidate) bool {
			return c.Provider == sp.To && c.Verdict == planner.VerdictChosen
		}) {
			t.Errorf("%s: target %s is not the chosen candidate", sp.Service, sp.To)
		}
	}
}

// TestStepParameters checks what the executor receives for one move.
func TestStepParameters(t *testing.T) {
	res, err := planner.Plan(planner.Input{
		Config:    fixture(),
		Providers: obs(with("aws", planner.StateDown)),
		DNS:       obs(map[string]planner.State{"route53": planner.StateHealthy, "desec": planner.StateHealthy}),
		Placement: placedOnPrimary(),
		Request:   planner.Request{Kind: planner.KindAutomatic, Service: "www"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Services) != 1 {
		t.Fatalf("services = %d, want 1", len(res.Services))
	}
	ws := &planner.Workspace{Dir: "infra/hetzner", Name: "prod"}
	want := []planner.Step{
		{ID: "www/hetzner/prepare", Kind: planner.StepPrepare, Service: "www", Provider: "hetzner", Workspace: ws},
		{ID: "www/hetzner/apply", Kind: planner.StepApply, Service: "www", Provider: "hetzner", Workspace: ws,
			// Workspace vars, then the service's: its size wins.
			Vars: map[string]string{"location": "fsn1", "size": "cx32", "image": "www:1.4"}},
		{ID: "www/hetzner/read-outputs", Kind: planner.StepReadOutputs, Service: "www", Provider: "hetzner", Workspace: ws, Output: "web_ipv4"},
		{ID: "www/hetzner/wait-healthy", Kind: planner.StepWaitHealthy, Service: "www", Provider: "hetzner", TimeoutSeconds: 300},
		{ID: "www/hetzner/dns-cutover", Kind: planner.StepDNSCutover, Service: "www", Provider: "hetzner",
			Records: []string{"@", "www"}, TTL: 60, DNS: []string{"desec"}},
		{ID: "www/hetzner/verify-dns", Kind: planner.StepVerifyDNS, Service: "www", Provider: "hetzner",
			Records: []string{"@", "www"}, DNS: []string{"desec"}, TimeoutSeconds: 120},
		{ID: "www/hetzner/notify", Kind: planner.StepNotify, Service: "www", Provider: "hetzner", Notify: []string{"ops"}},
	}
	got := res.Services[0].Steps
	ignoreReason := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Reason" }, cmp.Ignore())
	if diff := cmp.Diff(want, got, ignoreReason); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	for _, st := range got {
		if st.Reason == "" {
			t.Errorf("step %s has no reason", st.ID)
		}
	}
	if !strings.Contains(got[1].Reason, "the service overrides size") {
		t.Errorf("apply reason %q does not name the overridden variable", got[1].Reason)
	}
	if !strings.Contains(got[1].Reason, "warm standby hetzner") {
		t.Errorf("apply reason %q does not say it scales up a warm standby", got[1].Reason)
	}
	if got[3].Timeout().Minutes() != 5 {
		t.Errorf("wait-healthy timeout = %v", got[3].Timeout())
	}
}

// TestPlanDoesNotModifyInput guards purity: the configuration and maps the
// caller passes come back unchanged, and the plan does not alias them.
func TestPlanDoesNotModifyInput(t *testing.T) {
	in := planner.Input{
		Config:    fixture(),
		Providers: obs(with("aws", planner.StateDown)),
		DNS:       healthyDNS(),
		Placement: placedOnPrimary(),
		Request:   planner.Request{Kind: planner.KindAutomatic},
	}
	before := fixture()
	res, err := planner.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, in.Config) {
		t.Errorf("config modified")
	}
	// Changing the plan must not reach back into the configuration.
	for _, sp := range res.Services {
		for _, st := range sp.Steps {
			for i := range st.Records {
				st.Records[i] = "changed"
			}
			for k := range st.Vars {
				st.Vars[k] = "changed"
			}
		}
	}
	if !reflect.DeepEqual(before, in.Config) {
		t.Errorf("plan aliases the configuration")
	}
}
