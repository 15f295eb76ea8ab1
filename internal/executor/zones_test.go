package executor

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// zoneWorld is the executor's world where dns-a is lost and the zone has a
// registrar: the plan re-delegates it to dns-b, and moves nothing.
func zoneWorld(t *testing.T) (*world, planner.Result) {
	t.Helper()
	w := newWorld(t)
	cfg := w.in.Config
	for _, d := range cfg.DNS {
		d.NSNames = []string{"ns." + d.Name + ".example."}
	}
	cfg.Registrars = []*config.Registrar{{Name: "parent", Type: "rfc2136", Zone: testZone}}
	w.in.Providers["alpha"] = planner.Observation{State: planner.StateHealthy}
	w.in.DNS["dns-a"] = planner.Observation{State: planner.StateDown, Reason: "no nameserver answers"}
	w.in.Request = planner.Request{Kind: planner.KindManual}
	plan, err := planner.Plan(w.in)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Moves() != 0 || plan.Redelegations() != 1 {
		t.Fatalf("the fixture plan moves %d and re-delegates %d, want 0 and 1:\n%s", plan.Moves(), plan.Redelegations(), plan.Text())
	}
	return w, plan
}

// redelegations is a registrar that takes every delegation at once, and
// the DNS providers' serving check, which fails with err when set.
type redelegations struct {
	mu    sync.Mutex
	steps []planner.Step // one per write to the registrar
	ns    []string
	err   error
	// lag is how many reads after a write still report the delegation
	// before it (-1: the write never shows).
	lag     int
	pending []string
}

func (r *redelegations) Nameservers(context.Context, string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending != nil && r.lag == 0 {
		r.ns, r.pending = r.pending, nil
	}
	if r.pending != nil && r.lag > 0 {
		r.lag--
	}
	return r.ns, nil
}

func (r *redelegations) SetNameservers(_ context.Context, zone string, ns []string, _ map[string][]netip.Addr) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps = append(r.steps, planner.Step{Zone: zone, NS: ns})
	r.pending = ns
	return nil
}

// hook sets the re-delegation's hooks of env.
func (r *redelegations) hook(env *Env) {
	env.Registrar = func(string) (Delegator, error) { return r, nil }
	env.Serving = func(_ context.Context, _ string, names []string) ([]string, error) {
		if r.err != nil {
			return nil, r.err
		}
		return names, nil
	}
	env.Glue = func(context.Context, planner.Step) (map[string][]netip.Addr, error) { return nil, nil }
}

func TestZoneRedelegated(t *testing.T) {
	w, plan := zoneWorld(t)
	var r redelegations
	env := w.env(nil)
	r.hook(&env)
	e, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Start(context.Background(), plan, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.steps) != 1 || r.steps[0].Zone != testZone || !slices.Equal(r.steps[0].NS, []string{"ns.dns-b.example."}) {
		t.Fatalf("redelegate called with %+v, want once for %s to ns.dns-b.example.", r.steps, testZone)
	}
	if len(rep.Zones) != 1 || !rep.Zones[0].OK || rep.Zones[0].Registrar != "parent" {
		t.Fatalf("report %+v", rep.Zones)
	}
	op := w.operation(rep.Operation)
	key := planner.StepID(testZone, "parent", planner.StepRedelegate)
	if op.Status != journal.StatusSucceeded || !op.Done(key) || op.Outputs(key)["ns"] != "ns.dns-b.example." {
		t.Fatalf("journal: %s, step %s done %v, outputs %v", op.Status, key, op.Done(key), op.Outputs(key))
	}
	if !strings.Contains(op.Summary, "zone "+testZone+" delegated to ns.dns-b.example.") {
		t.Errorf("summary %q", op.Summary)
	}
}

func TestZoneRedelegationFails(t *testing.T) {
	w, plan := zoneWorld(t)
	r := redelegations{err: errors.New("dns-b does not answer for the zone")}
	env := w.env(nil)
	r.hook(&env)
	e, _ := New(env)
	rep, err := e.Start(context.Background(), plan, "manual")
	if err == nil || !strings.Contains(err.Error(), "dns-b does not answer") {
		t.Fatalf("err %v", err)
	}
	if len(rep.Zones) != 1 || rep.Zones[0].OK || rep.Zones[0].Error == "" {
		t.Fatalf("report %+v", rep.Zones)
	}
	if op := w.operation(rep.Operation); op.Status != journal.StatusFailed {
		t.Errorf("operation %s, want failed", op.Status)
	}
}

// A crash after the registrar was written resumes without writing again.
func TestZoneResumeSkipsDoneRedelegation(t *testing.T) {
	w, plan := zoneWorld(t)
	key := planner.StepID(testZone, "parent", planner.StepRedelegate)
	var r redelegations
	env := w.env(func(k, p string) {
		if k == key && p == "finished" {
			panic(errCrash)
		}
	})
	r.hook(&env)
	e, _ := New(env)
	func() {
		defer func() {
			if rec := recover(); rec != errCrash {
				t.Fatalf("recovered %v, want the simulated crash", rec)
			}
		}()
		_, _ = e.Start(context.Background(), plan, "manual")
	}()
	op := w.unfinished()
	env = w.env(nil)
	r.hook(&env)
	e, _ = New(env)
	rep, err := e.Resume(context.Background(), op, ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.steps) != 1 {
		t.Errorf("the registrar was written %d times, want once", len(r.steps))
	}
	if len(rep.Zones) != 1 || !rep.Zones[0].OK {
		t.Errorf("report %+v", rep.Zones)
	}
}

func TestZonePlanNeedsRedelegateHook(t *testing.T) {
	w, plan := zoneWorld(t)
	if _, err := w.executor(nil).Start(context.Background(), plan, "manual"); err == nil || !strings.Contains(err.Error(), "Env.Registrar") {
		t.Fatalf("err %v, want the missing hook named", err)
	}
}

// A zone already delegated as the plan wants (names compared without case
// or the final dot) is not written again.
func TestZoneAlreadyDelegatedIsNotWritten(t *testing.T) {
	w, plan := zoneWorld(t)
	r := redelegations{ns: []string{"NS.DNS-B.example"}}
	env := w.env(nil)
	r.hook(&env)
	e, _ := New(env)
	rep, err := e.Start(context.Background(), plan, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.steps) != 0 {
		t.Errorf("the registrar was written %d times, want none", len(r.steps))
	}
	key := planner.StepID(testZone, "parent", planner.StepRedelegate)
	if out := w.operation(rep.Operation).Outputs(key); out["unchanged"] != "true" || out["previous"] != "NS.DNS-B.example" {
		t.Errorf("outputs %v, want unchanged with the previous delegation", out)
	}
}

// A registrar that takes the change and reports it later is waited for,
// within the step's timeout; one that never reports it fails the step.
func TestZoneRegistrarReportsLate(t *testing.T) {
	tests := []struct {
		name string
		lag  int
		ok   bool
	}{
		{"at once", 0, true},
		{"after two reads", 2, true},
		{"never", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, plan := zoneWorld(t)
			r := redelegations{ns: []string{"ns.dns-a.example."}, lag: tt.lag}
			env := w.env(nil)
			r.hook(&env)
			e, _ := New(env)
			rep, err := e.Start(context.Background(), plan, "manual")
			if tt.ok != (err == nil) {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			if !tt.ok && !strings.Contains(err.Error(), "does not report it within") {
				t.Errorf("err %v, want the registrar named as not reporting the delegation", err)
			}
			if len(r.steps) != 1 {
				t.Errorf("the registrar was written %d times, want once", len(r.steps))
			}
			if len(rep.Zones) != 1 || rep.Zones[0].OK != tt.ok {
				t.Errorf("report %+v", rep.Zones)
			}
		})
	}
}
