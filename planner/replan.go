package planner

import "fmt"

// Replan plans one service again after the providers in excluded
// (provider -> why) failed during an operation: they are seen as down, so
// the next candidate is chosen by the same rules as the first.
func Replan(in Input, service string, excluded map[string]string) (ServicePlan, error) {
	next := in
	next.Request.Service = service
	next.Providers = make(map[string]Observation, len(in.Providers)+len(excluded))
	for k, v := range in.Providers {
		next.Providers[k] = v
	}
	for p, why := range excluded {
		next.Providers[p] = Observation{State: StateDown, Reason: "failed during this operation: " + why}
	}
	plan, err := Plan(next)
	if err != nil {
		return ServicePlan{}, err
	}
	for _, sp := range plan.Services {
		if sp.Service == service {
			return sp, nil
		}
	}
	return ServicePlan{}, fmt.Errorf("the planner has nothing for service %s", service)
}
