package planner_test

import (
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// fixture is the small estate most tests plan over:
//
//	providers: aws (amazon, active), aws-eu (amazon, warm),
//	           hetzner (hetzner, warm), ovh (ovh, cold)
//	dns:       route53 (vendor amazon), desec (vendor desec)
//	services:  www -> aws, hetzner, ovh ; api -> aws, aws-eu, hetzner
func fixture() *config.Config {
	ws := func(dir string, vars map[string]string) *config.Workspace {
		return &config.Workspace{Dir: dir, Workspace: "default", Vars: vars}
	}
	return &config.Config{
		Filename: "lifeboat.hcl",
		DNS: []*config.DNSProvider{
			{Name: "route53", Type: "route53", Zone: "example.com.", Vendor: "amazon"},
			{Name: "desec", Type: "desec", Zone: "example.com.", Vendor: "desec"},
		},
		Providers: []*config.Provider{
			{Name: "aws", Vendor: "amazon", Jurisdiction: "US", Standby: config.StandbyActive,
				Terraform: ws("infra/aws", map[string]string{"region": "us-east-1"})},
			{Name: "aws-eu", Vendor: "amazon", Jurisdiction: "IE", Standby: config.StandbyWarm,
				Terraform: ws("infra/aws-eu", nil)},
			{Name: "hetzner", Vendor: "hetzner", Jurisdiction: "DE", Standby: config.StandbyWarm,
				Terraform: &config.Workspace{Dir: "infra/hetzner", Workspace: "prod",
					Vars: map[string]string{"location": "fsn1", "size": "cx22"}}},
			{Name: "ovh", Vendor: "ovh", Jurisdiction: "FR", Standby: config.StandbyCold,
				Terraform: ws("infra/ovh", nil)},
		},
		Services: []*config.Service{
			// Deliberately not sorted: the plan sorts.
			{Checks: webCheck(), Name: "www", Records: []string{"@", "www"}, TTL: 60, Candidates: []string{"aws", "hetzner", "ovh"},
				AddressOutput: "web_ipv4", Vars: map[string]string{"size": "cx32", "image": "www:1.4"}},
			{Checks: webCheck(), Name: "api", Records: []string{"api"}, TTL: 30, Candidates: []string{"aws", "aws-eu", "hetzner"},
				AddressOutput: "addresses"},
		},
		Policy: config.Policy{
			AutoFailover: true,
			WaitHealthy:  5 * time.Minute,
			VerifyDNS:    2 * time.Minute,
		},
		Notify: []*config.Notify{{Name: "ops"}},
	}
}

// obs builds observations from states, each with a short reason.
func obs(states map[string]planner.State) map[string]planner.Observation {
	out := make(map[string]planner.Observation, len(states))
	for name, st := range states {
		o := planner.Observation{State: st}
		switch st {
		case planner.StateDown:
			o.Reason = "3 of 3 checks failed"
		case planner.StateAccountLost:
			o.Reason = "API says: account suspended"
		case planner.StateDegraded:
			o.Reason = "1 of 2 checks failed"
		}
		out[name] = o
	}
	return out
}

func allHealthy() map[string]planner.State {
	return map[string]planner.State{
		"aws": planner.StateHealthy, "aws-eu": planner.StateHealthy,
		"hetzner": planner.StateHealthy, "ovh": planner.StateHealthy,
	}
}

// with returns allHealthy with some states replaced.
func with(kv ...any) map[string]planner.State {
	m := allHealthy()
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(planner.State)
	}
	return m
}

func healthyDNS() map[string]planner.Observation {
	return obs(map[string]planner.State{"route53": planner.StateHealthy, "desec": planner.StateHealthy})
}

func placedOnPrimary() map[string]string { return map[string]string{"www": "aws", "api": "aws"} }

// webCheck is the one health check every fixture service has: the planner
// refuses to move a service it cannot check.
func webCheck() []*config.Check {
	return []*config.Check{{Name: "http", HTTP: &config.HTTPCheck{Path: "/healthz"}}}
}
