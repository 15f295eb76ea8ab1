package datafresh

import (
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Observe sums a round up for the planner: per service, then provider,
// every data block of the service there together. The rule:
//   - stale when any block is stale: a block known to be behind is the
//     clearest reason to refuse a target (and the one --accept-data-loss
//     is about), even when another block is unknown;
//   - else unknown when any block is unknown, or has no reading at a
//     provider where another block has one (its data there is unmeasured);
//   - else fresh.
//
// Age is the largest age of the blocks, known (AgeKnown) only when every
// block's age is: a part of the data of unknown age may be the oldest.
// Reason joins the blocks' reasons, each after its data name. A provider
// with no reading at all has no entry (the planner takes it as unknown).
func Observe(cfg *config.Config, rs []Reading) map[string]map[string]planner.DataObservation {
	// service -> provider -> data -> verdict
	seen := map[string]map[string]map[string]Verdict{}
	for _, rd := range rs {
		ps := seen[rd.Service]
		if ps == nil {
			ps = map[string]map[string]Verdict{}
			seen[rd.Service] = ps
		}
		byData := ps[rd.Provider]
		if byData == nil {
			byData = map[string]Verdict{}
			ps[rd.Provider] = byData
		}
		// Two readings of one block at one provider (not from Round):
		// the worse counts.
		if old, dup := byData[rd.Data]; !dup || rank(rd.Verdict.State) > rank(old.State) {
			byData[rd.Data] = rd.Verdict
		}
	}
	out := make(map[string]map[string]planner.DataObservation, len(seen))
	for svc, ps := range seen {
		names := blockNames(cfg, svc, rs)
		obs := make(map[string]planner.DataObservation, len(ps))
		for p, byData := range ps {
			obs[p] = observation(names, byData, cfg)
		}
		out[svc] = obs
	}
	return out
}

// blockNames are the service's data blocks, from the configuration, or
// from the readings when the service is not in it.
func blockNames(cfg *config.Config, svc string, rs []Reading) []string {
	var names []string
	if cfg != nil {
		for _, s := range cfg.Services {
			if s.Name == svc {
				for _, d := range s.Data {
					names = append(names, d.Name)
				}
			}
		}
	}
	for _, rd := range rs {
		if rd.Service == svc && !slices.Contains(names, rd.Data) {
			names = append(names, rd.Data)
		}
	}
	slices.Sort(names)
	return names
}

func observation(names []string, byData map[string]Verdict, cfg *config.Config) planner.DataObservation {
	worst := StateFresh
	var (
		age      time.Duration
		ageKnown = true
		reasons  []string
	)
	for _, n := range names {
		v, ok := byData[n]
		if !ok {
			v = Verdict{State: StateUnknown, Reason: "not measured at this provider"}
		}
		if rank(v.State) > rank(worst) {
			worst = v.State
		}
		if v.AgeKnown {
			age = max(age, v.Age)
		} else {
			ageKnown = false
		}
		reasons = append(reasons, n+": "+v.Reason)
	}
	o := planner.DataObservation{State: dataState(worst), AgeKnown: ageKnown,
		Reason: cfg.Redact(strings.Join(reasons, "; "))}
	if ageKnown {
		o.Age = age
	}
	return o
}

// rank orders states from best to worst: fresh, unknown, stale.
func rank(s State) int {
	switch s {
	case StateFresh:
		return 0
	case StateStale:
		return 2
	}
	return 1
}

func dataState(s State) planner.DataState {
	switch s {
	case StateFresh:
		return planner.DataFresh
	case StateStale:
		return planner.DataStale
	}
	return planner.DataUnknown
}
