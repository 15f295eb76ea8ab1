package audit

import (
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// simulate asks the planner what an automatic failover would do if the
// named providers and dns blocks were down and everything else healthy,
// with its control plane answering, and every service's data fresh: the
// simulation asks what the layout allows, and data found over the RPO is
// a finding of its own (data-stale).
func (a *auditor) simulate(lostProviders, lostDNS map[string]bool, reason string) (planner.Result, error) {
	in := planner.Input{
		Config:    a.cfg,
		Providers: make(map[string]planner.Observation, len(a.providers)),
		DNS:       make(map[string]planner.Observation, len(a.dns)),
		Placement: a.f.Placement,
		Request:   planner.Request{Kind: planner.KindAutomatic},
	}
	for _, p := range a.providers {
		in.Providers[p.Name] = observation(lostProviders[p.Name], reason)
	}
	for _, d := range a.dns {
		in.DNS[d.Name] = observation(lostDNS[d.Name], reason)
	}
	for _, s := range a.cfg.Services {
		if len(s.Data) == 0 {
			continue
		}
		if in.Data == nil {
			in.Data = map[string]map[string]planner.DataObservation{}
		}
		fresh := make(map[string]planner.DataObservation, len(s.Candidates))
		for _, c := range s.Candidates {
			fresh[c] = planner.DataObservation{State: planner.DataFresh, AgeKnown: true, Reason: "assumed fresh by the simulation"}
		}
		in.Data[s.Name] = fresh
	}
	return planner.Plan(in)
}

func observation(lost bool, reason string) planner.Observation {
	if lost {
		return planner.Observation{State: planner.StateDown, Reason: reason}
	}
	return planner.Observation{State: planner.StateHealthy, ControlPlaneOK: true}
}

// servicePlan returns the plan of service name in r.
func servicePlan(r planner.Result, name string) (planner.ServicePlan, bool) {
	for _, sp := range r.Services {
		if sp.Service == name {
			return sp, true
		}
	}
	return planner.ServicePlan{}, false
}

// hasWorkspace reports whether moving to provider name means an apply.
func hasWorkspace(cfg *config.Config, name string) bool {
	p := cfg.Provider(name)
	return p != nil && p.Terraform != nil
}
