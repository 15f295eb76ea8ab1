package planner_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

var allStates = []planner.State{
	planner.StateUnknown, planner.StateHealthy, planner.StateDegraded,
	planner.StateDown, planner.StateAccountLost, "", // "" = nothing observed
}

// genInput draws a random estate, its observed states, placements and a
// request. Names come from the estate, so most requests are plannable.
func genInput(t *rapid.T) planner.Input {
	vendors := []string{"v0", "v1", "v2", "v3"}
	cfg := &config.Config{Policy: config.Policy{AutoFailover: rapid.Bool().Draw(t, "auto")}}
	prov := map[string]planner.Observation{}
	nProv := rapid.IntRange(1, 8).Draw(t, "providers")
	var provNames []string
	for i := range nProv {
		name := fmt.Sprintf("p%d", i)
		provNames = append(provNames, name)
		p := &config.Provider{
			Name:    name,
			Vendor:  rapid.SampledFrom(vendors).Draw(t, "vendor"),
			Standby: rapid.SampledFrom([]config.Standby{config.StandbyActive, config.StandbyWarm, config.StandbyCold, ""}).Draw(t, "standby"),
		}
		switch rapid.IntRange(0, 9).Draw(t, "workspace") {
		case 0:
			p.Addresses = []string{"192.0.2.1"}
		case 1: // neither workspace nor addresses
		default:
			p.Terraform = &config.Workspace{Dir: "infra/" + name, Vars: map[string]string{"k": name}}
		}
		cfg.Providers = append(cfg.Providers, p)
		if st := rapid.SampledFrom(allStates).Draw(t, "state"); st != "" {
			prov[name] = planner.Observation{State: st, Reason: "r", ControlPlaneOK: rapid.Bool().Draw(t, "cp")}
		}
	}
	dns := map[string]planner.Observation{}
	var dnsNames []string
	for i := range rapid.IntRange(0, 3).Draw(t, "dns") {
		name := fmt.Sprintf("d%d", i)
		dnsNames = append(dnsNames, name)
		cfg.DNS = append(cfg.DNS, &config.DNSProvider{Name: name, Type: "rfc2136",
			Vendor: rapid.SampledFrom(append(vendors, "")).Draw(t, "dnsVendor")})
		if st := rapid.SampledFrom(allStates).Draw(t, "dnsState"); st != "" {
			dns[name] = planner.Observation{State: st}
		}
	}
	placement := map[string]string{}
	data := map[string]map[string]planner.DataObservation{}
	var svcNames []string
	for i := range rapid.IntRange(1, 5).Draw(t, "services") {
		name := fmt.Sprintf("s%d", i)
		svcNames = append(svcNames, name)
		perm := rapid.Permutation(provNames).Draw(t, "order")
		s := &config.Service{Checks: webCheck(), Name: name, Records: []string{"@"}, TTL: 60,
			Candidates: perm[:rapid.IntRange(1, len(perm)).Draw(t, "ncand")]}
		if len(dnsNames) > 0 && rapid.Bool().Draw(t, "dnsSubset") {
			s.DNS = rapid.Permutation(dnsNames).Draw(t, "dnsOrder")[:1]
		}
		cfg.Services = append(cfg.Services, s)
		if rapid.IntRange(0, 2).Draw(t, "hasData") > 0 {
			s.RPO = rapid.SampledFrom([]time.Duration{0, 30 * time.Second, 30 * time.Second, 30 * time.Second}).Draw(t, "rpo")
			s.Data = []*config.Data{{Name: "db", Postgres: &config.PostgresData{}}}
			if rapid.Bool().Draw(t, "second") {
				s.Data = append(s.Data, &config.Data{Name: "cache", HTTP: &config.HTTPData{}})
			}
			m := map[string]planner.DataObservation{}
			for _, pn := range provNames {
				if o, ok := genDataObs(t); ok {
					m[pn] = o
				}
			}
			data[name] = m
		}
		switch rapid.IntRange(0, 2).Draw(t, "placement") {
		case 0: // none recorded
		case 1:
			placement[name] = rapid.SampledFrom(s.Candidates).Draw(t, "on")
		case 2:
			placement[name] = rapid.SampledFrom(provNames).Draw(t, "on")
		}
	}
	opt := func(names []string, label string) string {
		if rapid.Bool().Draw(t, label+"?") {
			return ""
		}
		return rapid.SampledFrom(names).Draw(t, label)
	}
	req := planner.Request{
		Kind:    rapid.SampledFrom([]planner.Kind{planner.KindAutomatic, planner.KindManual, planner.KindFailback, planner.KindDrill}).Draw(t, "kind"),
		Service: opt(svcNames, "service"),
		From:    opt(provNames, "from"),
		To:      opt(provNames, "to"),
		// Rarely, so that automatic requests are mostly plannable.
		AcceptDataLoss: rapid.IntRange(0, 3).Draw(t, "accept") == 0,
	}
	return planner.Input{Config: cfg, Providers: prov, DNS: dns, Placement: placement, Data: data, Request: req}
}

// genDataObs draws what was measured of a service's data at a provider;
// ok is false for nothing measured.
func genDataObs(t *rapid.T) (planner.DataObservation, bool) {
	if rapid.IntRange(0, 4).Draw(t, "measured") == 0 {
		return planner.DataObservation{}, false
	}
	o := planner.DataObservation{
		State:    rapid.SampledFrom([]planner.DataState{planner.DataFresh, planner.DataFresh, planner.DataStale, planner.DataUnknown}).Draw(t, "dataState"),
		AgeKnown: rapid.IntRange(0, 4).Draw(t, "ageKnown") > 0,
		Reason:   "m",
	}
	if o.AgeKnown {
		o.Age = rapid.SampledFrom([]time.Duration{0, 10 * time.Second, 30 * time.Second, 31 * time.Second, time.Hour}).Draw(t, "age")
	}
	return o, true
}

// dataSound is the data rule: fresh, of known age, within the RPO if any.
func dataSound(in planner.Input, svc *config.Service, provider string) bool {
	o, ok := in.Data[svc.Name][provider]
	return ok && o.State == planner.DataFresh && o.AgeKnown && (svc.RPO == 0 || o.Age <= svc.RPO)
}

// checkDataRule states the data rule of the package comment for one
// service's plan.
func checkDataRule(t *rapid.T, in planner.Input, sp planner.ServicePlan) {
	req := in.Request
	svc := in.Config.Service(sp.Service)
	hasData := len(svc.Data) > 0
	for _, c := range sp.Candidates {
		if (c.Data != nil) != hasData {
			t.Fatalf("%s: candidate %s data %v, but the service has %d data blocks", sp.Service, c.Provider, c.Data, len(svc.Data))
		}
	}
	if sp.AcceptedDataLoss != "" && (!req.AcceptDataLoss || req.Kind == planner.KindDrill || sp.To == "" ||
		svc.RPO == 0 || dataSound(in, svc, sp.To)) {
		t.Fatalf("%s: accepted data loss %q (request %+v, target %q)", sp.Service, sp.AcceptedDataLoss, req, sp.To)
	}
	if sp.Action == planner.ActionMove && hasData && sp.ExpectedLoss == "" {
		t.Fatalf("%s: a move of a service with data and no expected loss", sp.Service)
	}
	if sp.To != "" && hasData && svc.RPO > 0 && req.Kind != planner.KindDrill && !dataSound(in, svc, sp.To) && sp.AcceptedDataLoss == "" {
		t.Fatalf("%s: target %s fails the RPO without accepting data loss: %+v", sp.Service, sp.To, in.Data[svc.Name][sp.To])
	}
	// Data steps: none in a drill; otherwise one fence (at From) and one
	// promote (at To) for the postgres block, between the Terraform steps
	// and wait-healthy.
	var kinds []planner.StepKind
	ids := map[string]bool{}
	for _, st := range sp.Steps {
		kinds = append(kinds, st.Kind)
		if ids[st.ID] {
			t.Fatalf("%s: step ID %s twice", sp.Service, st.ID)
		}
		ids[st.ID] = true
		if st.Kind == planner.StepFence && st.Provider != sp.From || st.Kind == planner.StepPromote && st.Provider != sp.To {
			t.Fatalf("%s: %s at %s (from %s, to %s)", sp.Service, st.ID, st.Provider, sp.From, sp.To)
		}
	}
	nFence, nPromote := 0, 0
	if sp.Action == planner.ActionMove && hasData && req.Kind != planner.KindDrill {
		nFence, nPromote = 1, 1
	}
	if c := countKind(kinds, planner.StepFence); c != nFence {
		t.Fatalf("%s: %d fence steps, want %d: %v", sp.Service, c, nFence, kinds)
	}
	if c := countKind(kinds, planner.StepPromote); c != nPromote {
		t.Fatalf("%s: %d promote steps, want %d: %v", sp.Service, c, nPromote, kinds)
	}
	if nFence > 0 {
		f, pr, w := slices.Index(kinds, planner.StepFence), slices.Index(kinds, planner.StepPromote), slices.Index(kinds, planner.StepWaitHealthy)
		if r := slices.Index(kinds, planner.StepReadOutputs); !(r < f && f < pr && pr < w) {
			t.Fatalf("%s: data steps out of order: %v", sp.Service, kinds)
		}
	}
}

func countKind(kinds []planner.StepKind, k planner.StepKind) int {
	n := 0
	for _, x := range kinds {
		if x == k {
			n++
		}
	}
	return n
}

// TestPropertyTargets states the target rule of the package comment on
// random estates: every chosen target is one the rule allows.
func TestPropertyTargets(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		res, err := planner.Plan(in)
		if in.Request.Kind == planner.KindAutomatic && in.Request.AcceptDataLoss && !errors.Is(err, planner.ErrInvalidRequest) {
			t.Fatalf("an automatic request accepting data loss gave %v, want ErrInvalidRequest", err)
		}
		if err != nil {
			return // refused requests are covered by the determinism property
		}
		obs := func(name string) planner.State {
			if o, ok := in.Providers[name]; ok && o.State != "" {
				return o.State
			}
			return planner.StateUnknown
		}
		isLost := func(st planner.State) bool { return st == planner.StateDown || st == planner.StateAccountLost }
		req := in.Request
		// A vendor is lost while one of its providers is observed lost,
		// whatever the request, or is being left by this plan.
		lost, lostVendor := map[string]bool{}, map[string]bool{}
		for _, p := range in.Config.Providers {
			if isLost(obs(p.Name)) {
				lostVendor[p.Vendor] = true
			}
		}
		for _, l := range res.Lost {
			lost[l.Name], lostVendor[l.Vendor] = true, true
			observed := isLost(obs(l.Name))
			switch {
			case req.Kind == planner.KindAutomatic && !observed:
				t.Fatalf("automatic plan leaves %s, which is %s", l.Name, obs(l.Name))
			case req.Kind == planner.KindManual && req.From == "" && !observed:
				// Only From names a provider to leave; Service never does.
				t.Fatalf("manual plan without from leaves %s, which is %s", l.Name, obs(l.Name))
			case req.Kind == planner.KindManual && req.From != "" && l.Name != req.From:
				t.Fatalf("manual plan from %s also leaves %s", req.From, l.Name)
			case req.Kind == planner.KindFailback:
				t.Fatalf("failback leaves %s", l.Name)
			}
		}
		var names []string
		for _, sp := range res.Services {
			names = append(names, sp.Service)
			checkDataRule(t, in, sp)
			if (sp.Action == planner.ActionMove) != (len(sp.Steps) > 0) {
				t.Fatalf("%s: action %s with %d steps", sp.Service, sp.Action, len(sp.Steps))
			}
			if sp.Action == planner.ActionMove && sp.To == "" {
				t.Fatalf("%s: move without a target", sp.Service)
			}
			if sp.Settled && (sp.Action != planner.ActionStay || obs(sp.From) != planner.StateHealthy || (req.To != "" && req.To != sp.From)) {
				t.Fatalf("%s: settled, but %s on %s (%s), request to %q", sp.Service, sp.Action, sp.From, obs(sp.From), req.To)
			}
			if sp.Action == planner.ActionStay && req.Kind != planner.KindFailback && lost[sp.From] {
				t.Fatalf("%s: stays on %s, which the plan leaves", sp.Service, sp.From)
			}
			if sp.To == "" {
				continue
			}
			svc := in.Config.Service(sp.Service)
			to := in.Config.Provider(sp.To)
			st := obs(sp.To)
			cp := in.Providers[sp.To].ControlPlaneOK
			standby := to.Standby == config.StandbyWarm || to.Standby == config.StandbyCold
			failback := req.Kind == planner.KindFailback
			switch {
			case isLost(st):
				t.Fatalf("%s: target %s is %s", sp.Service, sp.To, st)
			case sp.To == sp.From:
				t.Fatalf("%s: target is the current placement %s", sp.Service, sp.To)
			case lost[sp.To]:
				t.Fatalf("%s: target %s is a lost provider", sp.Service, sp.To)
			case lostVendor[to.Vendor] && req.To != sp.To:
				t.Fatalf("%s: target %s is at lost vendor %s without being named", sp.Service, sp.To, to.Vendor)
			case !slices.Contains(svc.Candidates, sp.To):
				t.Fatalf("%s: target %s is not a candidate", sp.Service, sp.To)
			case req.To != "" && sp.To != req.To:
				t.Fatalf("%s: target %s replaces the requested %s", sp.Service, sp.To, req.To)
			// Unknown health: a warm or cold standby, or on failback the
			// preferred provider, whose control plane answers.
			case st == planner.StateUnknown && !cp:
				t.Fatalf("%s: target %s has unknown health and no control plane", sp.Service, sp.To)
			case st == planner.StateUnknown && !standby && !failback:
				t.Fatalf("%s: target %s is an active provider of unknown health", sp.Service, sp.To)
			case failback && (sp.To != svc.Candidates[0] || st == planner.StateDegraded):
				t.Fatalf("%s: failback to %s (%s)", sp.Service, sp.To, st)
			}
			for _, step := range sp.Steps {
				for _, d := range step.DNS {
					ds := in.DNS[d].State
					if isLost(ds) {
						t.Fatalf("%s: step %s uses DNS %s, which is %s", sp.Service, step.ID, d, ds)
					}
					dv := in.Config.DNSProvider(d).Vendor
					if dv == "" {
						dv = "rfc2136"
					}
					if lostVendor[dv] {
						t.Fatalf("%s: step %s uses DNS %s at lost vendor %s", sp.Service, step.ID, d, dv)
					}
				}
			}
		}
		if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
			t.Fatalf("services not sorted and unique: %v", names)
		}
		if res.Settled() && (res.Moves() > 0 || res.Blocked() > 0) {
			t.Fatalf("settled with %d moves and %d blocked", res.Moves(), res.Blocked())
		}
	})
}

// TestPropertyDeterministic plans the same input twice, and once more with
// every configuration list shuffled: the plans, their JSON and their text
// must be identical.
func TestPropertyDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		a, errA := planner.Plan(in)
		b, errB := planner.Plan(in)
		if fmt.Sprint(errA) != fmt.Sprint(errB) {
			t.Fatalf("errors differ: %v / %v", errA, errB)
		}
		// A Config is not copied whole (it holds a sync.Once): genInput sets
		// only these fields.
		shuffled := &config.Config{
			Policy:    in.Config.Policy,
			Providers: rapid.Permutation(in.Config.Providers).Draw(t, "shuffleProviders"),
			Services:  rapid.Permutation(in.Config.Services).Draw(t, "shuffleServices"),
			DNS:       rapid.Permutation(in.Config.DNS).Draw(t, "shuffleDNS"),
		}
		in2 := in
		in2.Config = shuffled
		c, errC := planner.Plan(in2)
		if fmt.Sprint(errA) != fmt.Sprint(errC) {
			t.Fatalf("errors differ after shuffling the configuration: %v / %v", errA, errC)
		}
		if errA != nil {
			return
		}
		for _, other := range []planner.Result{b, c} {
			if !reflect.DeepEqual(a, other) {
				t.Fatalf("plans differ:\n%s\n---\n%s", a.Text(), other.Text())
			}
			ja, _ := a.JSON()
			jo, _ := other.JSON()
			if string(ja) != string(jo) || a.Text() != other.Text() {
				t.Fatalf("renderings differ")
			}
		}
	})
}
