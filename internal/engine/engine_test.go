package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/planner"
)

func TestAskSOAAgainstBIND(t *testing.T) {
	b := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test."})
	ctx := context.Background()
	if o := askSOA(ctx, "example.test.", []string{b.Addr}, time.Second); o.State != planner.StateHealthy {
		t.Fatalf("up: %+v", o)
	}
	if o := askSOA(ctx, "other.test.", []string{b.Addr}, time.Second); o.State != planner.StateDown || !strings.Contains(o.Reason, b.Addr) {
		t.Fatalf("a zone the server does not serve: %+v", o)
	}
	b.Stop()
	if o := askSOA(ctx, "example.test.", []string{b.Addr}, 300*time.Millisecond); o.State != planner.StateDown {
		t.Fatalf("stopped: %+v", o)
	}
	if o := askSOA(ctx, "example.test.", nil, time.Second); o.State != planner.StateUnknown {
		t.Fatalf("no nameservers: %+v", o)
	}
}

func TestControlPlane(t *testing.T) {
	cfg := &config.Config{Providers: []*config.Provider{
		{Name: "tf", Terraform: &config.Workspace{Dir: "x"}},
		{Name: "bare"},
		{Name: "api"},
	}}
	e := New(cfg, nil)
	defer e.Close()
	cases := []struct {
		name   string
		st     *health.ProviderStatus
		wantOK bool
		note   bool
	}{
		{"tf", nil, true, true},
		{"tf", &health.ProviderStatus{State: health.StateDown}, true, false},
		{"bare", nil, false, false},
		{"api", &health.ProviderStatus{State: health.StateDegraded, Results: []health.Result{{Kind: "provider_api", OK: true}, {Kind: "http"}}}, true, false},
		{"api", &health.ProviderStatus{State: health.StateAccountLost, Results: []health.Result{{Kind: "provider_api", AccountLost: true}}}, false, false},
	}
	for i, c := range cases {
		ok, reason := e.controlPlane(c.name, c.st, "")
		if ok != c.wantOK || strings.Contains(reason, "assumed reachable") != c.note {
			t.Errorf("case %d (%s): ok=%v reason=%q", i, c.name, ok, reason)
		}
	}
}

// One service's unfinished operation does not hold up another's: it is
// neither resumed nor in the way when another service is asked for.
func TestOtherServicesOperationIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{Dir: dir, State: config.State{Path: "lifeboat.db"}}
	e := New(cfg, slog.New(slog.DiscardHandler))
	defer e.Close()
	j, err := e.Journal()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plan, _ := json.Marshal(planner.Result{Services: []planner.ServicePlan{{Service: "www", Action: planner.ActionMove}}})
	stuck, err := j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"www"}, Plan: plan, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	reps, err := e.resumeConcerning(ctx, "api", nil, Hooks{})
	if err != nil || len(reps) != 0 {
		t.Fatalf("resuming for api touched www's operation: %v, %v", reps, err)
	}
	if _, err := j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"api"}, Started: time.Now()}); err != nil {
		t.Fatalf("api's operation could not begin while www's is unfinished: %v", err)
	}
	if _, err := e.Abort(ctx, "", "x"); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("abort without an ID with two unfinished: %v", err)
	}
	op, err := e.Abort(ctx, stuck.ID, "DNS vendor gone")
	if err != nil || op.Status != journal.StatusAborted || op.Summary != "DNS vendor gone" {
		t.Fatalf("abort: %+v, %v", op, err)
	}
}

// policy.cooldown holds an automatic move back, and only an automatic one.
func TestCooldownHoldsAutomaticMoves(t *testing.T) {
	cfg := &config.Config{Dir: t.TempDir(), State: config.State{Path: "lifeboat.db"}, Policy: config.Policy{Cooldown: 30 * time.Minute}}
	e := New(cfg, slog.New(slog.DiscardHandler))
	defer e.Close()
	j, err := e.Journal()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	op, err := j.Begin(ctx, journal.Operation{Kind: "automatic", Services: []string{"www"}, Started: now.Add(-10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", now.Add(-9*time.Minute)); err != nil {
		t.Fatal(err)
	}
	move := func() planner.Result {
		return planner.Result{Services: []planner.ServicePlan{
			{Service: "www", Action: planner.ActionMove, Steps: []planner.Step{{ID: "www/b/apply"}}},
			{Service: "api", Action: planner.ActionMove, Steps: []planner.Step{{ID: "api/b/apply"}}},
		}}
	}
	plan := move()
	if err := e.holdInCooldown(ctx, j, &plan, now); err != nil {
		t.Fatal(err)
	}
	if www := plan.Services[0]; www.Action != planner.ActionBlocked || www.Steps != nil || !strings.Contains(www.Reason, "policy.cooldown 30m0s") {
		t.Fatalf("www within its cooldown: %+v", www)
	}
	if api := plan.Services[1]; api.Action != planner.ActionMove {
		t.Fatalf("api has no recent automatic failover but was held: %+v", api)
	}
	plan = move()
	if err := e.holdInCooldown(ctx, j, &plan, now.Add(25*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if plan.Services[0].Action != planner.ActionMove {
		t.Fatalf("www after its cooldown: %+v", plan.Services[0])
	}
}

// A canary drill's operation cut short by a crash is ended as aborted by
// the next operation, never "resumed" into a success it did not have.
func TestInterruptedDrillOperationIsAbortedNotResumed(t *testing.T) {
	ctx := context.Background()
	cfg := &config.Config{Services: []*config.Service{{Name: "www", Candidates: []string{"alpha"}}},
		Providers: []*config.Provider{{Name: "alpha"}}}
	e := New(cfg, nil)
	j := journal.NewMemory()
	e.journal = j
	plan, _ := json.Marshal(planner.Result{Request: planner.Request{Kind: planner.KindDrill, Service: "www"}})
	op, err := j.Begin(ctx, journal.Operation{Kind: string(planner.KindDrill), Services: []string{"www"}, Plan: plan, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	reps, err := e.Resume(ctx, nil, Hooks{})
	if !errors.Is(err, ErrNoOperation) || len(reps) != 0 {
		t.Fatalf("resume: %v, %d reports; want the drill ended and nothing resumed", err, len(reps))
	}
	got, err := j.Operation(ctx, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != journal.StatusAborted || !strings.Contains(got.Summary, "drill interrupted") {
		t.Fatalf("drill operation after resume: %s %q", got.Status, got.Summary)
	}
}

// After a reload hands the journal to a new engine, a request still
// holding the old one is told to try again instead of opening the file a
// second time (it would wait on the new engine's lock).
func TestReleasedEngineDoesNotReopenTheJournal(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{Dir: dir, State: config.State{Path: "j.db"}}
	e := New(cfg, nil)
	if _, err := e.Journal(); err != nil {
		t.Fatal(err)
	}
	if err := e.CloseJournal(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Journal(); !errors.Is(err, ErrReleased) {
		t.Fatalf("Journal after CloseJournal: %v, want ErrReleased", err)
	}
	if _, err := e.History(context.Background(), 0); !errors.Is(err, ErrReleased) {
		t.Fatalf("History after CloseJournal: %v, want ErrReleased", err)
	}
}
