package planner_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// bigEstate is 1000 services over 50 providers at 10 vendors, with the five
// providers p00..p04 down and every service placed on one of them, so every
// service is affected: the worst case for an automatic plan.
func bigEstate(candidates int) planner.Input {
	const nProv, nSvc = 50, 1000
	cfg := &config.Config{Policy: config.Policy{AutoFailover: true, WaitHealthy: 5 * time.Minute, VerifyDNS: 2 * time.Minute}}
	prov := map[string]planner.Observation{}
	standby := []config.Standby{config.StandbyActive, config.StandbyWarm, config.StandbyCold}
	for i := range nProv {
		name := fmt.Sprintf("p%02d", i)
		cfg.Providers = append(cfg.Providers, &config.Provider{
			Name: name, Vendor: fmt.Sprintf("v%d", i%10), Standby: standby[i%3],
			Terraform: &config.Workspace{Dir: "infra/" + name, Workspace: "default",
				Vars: map[string]string{"region": "r" + name, "size": "small", "count": "2"}},
		})
		st := planner.StateHealthy
		switch {
		case i < 5:
			st = planner.StateDown
		case i%7 == 0:
			st = planner.StateDegraded
		case i%11 == 0:
			st = planner.StateUnknown
		}
		prov[name] = planner.Observation{State: st, Reason: "checks", ControlPlaneOK: i%2 == 0}
	}
	for i, v := range []string{"v0", "dns-a", "dns-b"} {
		cfg.DNS = append(cfg.DNS, &config.DNSProvider{Name: fmt.Sprintf("d%d", i), Type: "rfc2136", Vendor: v})
	}
	cfg.Notify = []*config.Notify{{Name: "ops"}}
	placement := map[string]string{}
	for i := range nSvc {
		name := fmt.Sprintf("svc%04d", i)
		var cands []string
		for k := range candidates {
			// 3i+7k keeps the candidates distinct and spread over vendors.
			cands = append(cands, fmt.Sprintf("p%02d", (3*i+7*k)%nProv))
		}
		if candidates == nProv {
			cands = cands[:0]
			for k := range nProv {
				cands = append(cands, fmt.Sprintf("p%02d", (i+k)%nProv))
			}
		}
		cfg.Services = append(cfg.Services, &config.Service{Checks: webCheck(), Name: name, Records: []string{"@", name}, TTL: 60,
			Candidates: cands, Vars: map[string]string{"image": name + ":1", "size": "large"}})
		placement[name] = fmt.Sprintf("p%02d", i%5)
	}
	return planner.Input{Config: cfg, Providers: prov, DNS: map[string]planner.Observation{},
		Placement: placement, Request: planner.Request{Kind: planner.KindAutomatic}}
}

// TestBigEstateIsWorkedOut keeps the benchmark honest: its plan moves
// nearly every service.
func TestBigEstateIsWorkedOut(t *testing.T) {
	for _, c := range []int{5, 50, -50} {
		in := bigEstate(max(c, -c))
		if c < 0 {
			in = withDataEverywhere(in)
		}
		res, err := planner.Plan(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Services) != 1000 || res.Moves() < 900 {
			t.Fatalf("candidates %d: %d services listed, %d moves, %d blocked", c, len(res.Services), res.Moves(), res.Blocked())
		}
	}
}

func BenchmarkPlan1000Services50Providers(b *testing.B) {
	for _, c := range []int{5, 50} {
		b.Run(fmt.Sprintf("candidates=%d", c), func(b *testing.B) {
			in := bigEstate(c)
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				if _, err := planner.Plan(in); err != nil {
					b.Fatal(err)
				}
			}
			// Wall time per op swells when other processes share the
			// cores; the process's CPU time per op does not.
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// withDataEverywhere gives every service of a bigEstate a postgres data
// block and an RPO of 30s, with its data measured at every provider: one
// in three fresh within the RPO, the others over it or stale.
func withDataEverywhere(in planner.Input) planner.Input {
	in.Data = map[string]map[string]planner.DataObservation{}
	for i, s := range in.Config.Services {
		s.RPO = 30 * time.Second
		s.Data = []*config.Data{{Name: "db", Postgres: &config.PostgresData{}}}
		m := make(map[string]planner.DataObservation, len(in.Config.Providers))
		for k, p := range in.Config.Providers {
			o := planner.DataObservation{State: planner.DataFresh, Age: 5 * time.Second, AgeKnown: true, Reason: "replica"}
			switch (i + k) % 3 {
			case 1:
				o.Age = time.Minute
			case 2:
				o.State = planner.DataStale
			}
			m[p.Name] = o
		}
		in.Data[s.Name] = m
	}
	return in
}

func BenchmarkPlan1000ServicesWithData(b *testing.B) {
	in := withDataEverywhere(bigEstate(50))
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if _, err := planner.Plan(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
}

func BenchmarkRender1000Services(b *testing.B) {
	res, err := planner.Plan(bigEstate(5))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			_ = res.Text()
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if _, err := res.JSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPlanAllocationBudget keeps the daemon's replanning cheap: the planner
// runs on every state change, and what it allocates is most of its cost
// (the garbage collector's work grows with it). 1000 services with 50
// candidates each must stay within about 14 allocations and 9 KB per
// service (8.5 KB before each candidate carried its data's pointer: 8
// bytes times 50 000 candidates). The numbers are counted, not timed, so the test is stable on a
// busy machine; the benchmark above gives the time.
func TestPlanAllocationBudget(t *testing.T) {
	in := bigEstate(50)
	const maxAllocs, maxBytes = 15000, 8_950_000
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := planner.Plan(in); err != nil {
			t.Fatal(err)
		}
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := planner.Plan(in); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	bytes := after.TotalAlloc - before.TotalAlloc
	t.Logf("%.0f allocations, %d bytes per plan", allocs, bytes)
	if allocs > maxAllocs {
		t.Errorf("%.0f allocations per plan, budget %d", allocs, maxAllocs)
	}
	if bytes > maxBytes {
		t.Errorf("%d bytes allocated per plan, budget %d", bytes, maxBytes)
	}
}
