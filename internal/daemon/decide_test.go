package daemon

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/cluster"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/safeguard"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// fakeEngine is the engine as the decision loop sees it: where the
// services run, the history, the unfinished operations, and what Run and
// Resume answer; it keeps the decisions recorded and the calls made.
type fakeEngine struct {
	cfg *config.Config

	mu         sync.Mutex
	placed     map[string]string
	history    []safeguard.Past
	unfinished []journal.Operation
	// run answers Run; nil: the services on a lost provider move to beta.
	run    func(req wire.Request) (wire.Outcome, error)
	resume func() ([]wire.OperationReport, error)

	runs      []wire.Request
	resumes   int
	decisions []decision
}

func (f *fakeEngine) Config() *config.Config { return f.cfg }
func (f *fakeEngine) SafeguardPolicy() safeguard.Policy {
	return (&engine.Engine{Cfg: f.cfg}).SafeguardPolicy()
}
func (f *fakeEngine) GroupsNow(context.Context) ([]*health.Group, error) {
	return nil, nil
}

func (f *fakeEngine) RecordDecision(_ context.Context, _, _, _ string, doc any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.decisions = append(f.decisions, doc.(decision))
	return nil
}

func (f *fakeEngine) RecordHold(context.Context, time.Time, string, any) error { return nil }
func (f *fakeEngine) LastHold(context.Context, any) (bool, error)              { return false, nil }

func (f *fakeEngine) Unfinished(context.Context) ([]journal.Operation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unfinished, nil
}

func (f *fakeEngine) Operation(context.Context, string) (journal.Operation, error) {
	return journal.Operation{}, journal.ErrNotFound
}

func (f *fakeEngine) PlacedNow(context.Context) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return map[string]string{"web": f.placed["web"]}, nil
}

func (f *fakeEngine) SafeguardHistory(context.Context) ([]safeguard.Past, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.history, nil
}

func (f *fakeEngine) Run(_ context.Context, req wire.Request, _ engine.Hooks) (wire.Outcome, error) {
	f.mu.Lock()
	f.runs = append(f.runs, req)
	run := f.run
	f.mu.Unlock()
	if run != nil {
		return run(req)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	from := f.placed["web"]
	f.placed["web"] = "beta"
	f.history = append([]safeguard.Past{{ID: "op-auto", Automatic: true, Services: []string{"web"}, Started: time.Now()}}, f.history...)
	return wire.Outcome{Executed: true, Report: &wire.OperationReport{Operation: "op-auto",
		Services: []executor.ServiceReport{{Service: "web", From: from, To: "beta", OK: true}}}}, nil
}

func (f *fakeEngine) Resume(context.Context, []string, engine.Hooks) ([]wire.OperationReport, error) {
	f.mu.Lock()
	f.resumes++
	resume := f.resume
	f.mu.Unlock()
	return resume()
}

func (f *fakeEngine) actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, dec := range f.decisions {
		out = append(out, dec.Action)
	}
	return out
}

// testDaemon is a daemon whose decision loop uses fe, with a monitor of
// fe's providers that no scheduler feeds (the test does), as a lone node
// or in the membership m.
func testDaemon(t *testing.T, fe *fakeEngine, m member) *Daemon {
	t.Helper()
	d := New(fe.cfg, Options{})
	d.op = fe
	d.w = newWatch(fe.cfg, nil, d.kick, health.SchedulerOptions{})
	if m != nil {
		d.nodes = &nodes{m: m, node: "n1"}
	}
	t.Cleanup(func() { _ = d.eng.Close() })
	return d
}

func testConfig(t *testing.T, auto bool) *config.Config {
	dir := t.TempDir()
	return &config.Config{Dir: dir, State: config.State{Path: filepath.Join(dir, "lifeboat.db")},
		Providers: []*config.Provider{{Name: "alpha"}, {Name: "beta"}},
		Services:  []*config.Service{{Name: "web"}},
		Policy: config.Policy{Interval: time.Second, Timeout: time.Second, FailAfter: 2, RecoverAfter: 2, Quorum: 0.5,
			AutoFailover: auto, Cooldown: 30 * time.Minute, MaxAuto: 2, AutoWindow: 24 * time.Hour}}
}

// lose feeds the monitor rounds of failed checks at provider until it is
// down, queuing its transitions for the loop as the scheduler does; with
// local, the checks failed for a reason on this node.
func lose(t *testing.T, d *Daemon, provider string, local bool) {
	t.Helper()
	_, w := d.current()
	r := health.Result{Check: "http", Kind: "http", Reason: "connection refused"}
	if local {
		r.Unknown, r.Reason = true, "local fault: too many open files"
	}
	for range w.cfg.Policy.FailAfter {
		r.At = time.Now()
		if tr, ok := w.mon.Observe(provider, r.At, []health.Result{r, {Check: "dns", Kind: "dns", Reason: "timeout", At: r.At}}); ok {
			w.transition(tr)
		}
	}
	if !local {
		for _, p := range w.snapshot().Providers {
			if p.Name == provider && p.State != health.StateDown {
				t.Fatalf("%s is %s after %d failed rounds", provider, p.State, w.cfg.Policy.FailAfter)
			}
		}
	}
}

// The decision loop, one turn at a time against a fake engine: a loss of
// the provider a service runs on is failed over, or held back by the
// policy's safeguards, each held-back reason journaled once.
func TestDecide(t *testing.T) {
	recent := []safeguard.Past{
		{ID: "2", Automatic: true, Services: []string{"api"}, Started: time.Now().Add(-time.Hour)},
		{ID: "1", Automatic: true, Services: []string{"web"}, Started: time.Now().Add(-2 * time.Hour)},
	}
	for _, tc := range []struct {
		name    string
		auto    bool
		placed  string // where web runs
		hold    bool
		history []safeguard.Past
		run     func(wire.Request) (wire.Outcome, error)
		local   bool // the failed checks failed on this node
		member  *fakeMember
		turns   int
		runs    int      // Run calls
		actions []string // decisions journaled
		summary string   // in the last decision's summary
	}{
		{name: "a provider going down is failed over", auto: true, placed: "alpha", turns: 2,
			runs: 1, actions: []string{"failover"}, summary: "web from alpha to beta"},
		{name: "a provider no service runs on", auto: true, placed: "beta", turns: 2,
			actions: []string{"none"}, summary: "no service runs on it"},
		{name: "auto_failover off", auto: false, placed: "alpha", turns: 2,
			actions: []string{"held_back"}, summary: "policy.auto_failover is off"},
		{name: "hold on", auto: true, placed: "alpha", hold: true, turns: 2,
			actions: []string{"held_back"}, summary: "the hold switch is on"},
		{name: "max per window reached", auto: true, placed: "alpha", history: recent, turns: 2,
			actions: []string{"held_back"}, summary: "2 automatic failovers within policy.auto_failover_window 24h0m0s, at most policy.max_auto_failovers 2"},
		{name: "the hold goes before the count", auto: true, placed: "alpha", hold: true, history: recent, turns: 1,
			actions: []string{"held_back"}, summary: "the hold switch is on"},
		{name: "the engine's cooldown", auto: true, placed: "alpha", turns: 2,
			run: func(wire.Request) (wire.Outcome, error) {
				msg := "the last automatic failover of web (operation 1) began 5m0s ago, within policy.cooldown 30m0s"
				return wire.Outcome{Message: msg}, fmt.Errorf("%w: %s", engine.ErrBlocked, msg)
			},
			runs: 2, actions: []string{"held_back"}, summary: "held back: the last automatic failover of web"},
		{name: "a failed failover is not tried again within the cooldown", auto: true, placed: "alpha", turns: 3,
			run: func(wire.Request) (wire.Outcome, error) {
				return wire.Outcome{}, errors.New("tofu apply failed")
			},
			runs: 1, actions: []string{"failed"}, summary: "automatic failover of web failed: tofu apply failed"},
		{name: "a blind node holds back", auto: true, placed: "alpha", local: true, turns: 2,
			// Once that it cannot see, once that it holds this loss back.
			actions: []string{"held_back", "held_back"}, summary: blindPrefix + " from failing over web on alpha"},
		{name: "a follower takes no action", auto: true, placed: "alpha", member: &fakeMember{}, turns: 2},
		{name: "the leader of several acts", auto: true, placed: "alpha", member: &fakeMember{leading: true}, turns: 2,
			runs: 1, actions: []string{"failover"}, summary: "web from alpha to beta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := &fakeEngine{cfg: testConfig(t, tc.auto), placed: map[string]string{"web": tc.placed},
				history: tc.history, run: tc.run, resume: func() ([]wire.OperationReport, error) { return nil, engine.ErrNoOperation }}
			var m member
			if tc.member != nil {
				m = tc.member
			}
			d := testDaemon(t, fe, m)
			if tc.hold {
				d.hold = control.HoldState{On: true, Reason: "maintenance", Since: time.Now()}
			}
			if tc.local {
				// Failing on this node, and down as seen from the others.
				lose(t, d, "alpha", true)
				lose(t, d, "alpha", false)
				lose(t, d, "alpha", true)
			} else {
				lose(t, d, "alpha", false)
			}
			for range tc.turns {
				d.decide(t.Context())
			}
			if len(fe.runs) != tc.runs {
				t.Errorf("Run called %d times, want %d", len(fe.runs), tc.runs)
			}
			for _, req := range fe.runs {
				if req.Kind != planner.KindAutomatic {
					t.Errorf("Run asked for %s, want an automatic failover", req.Kind)
				}
			}
			if got := strings.Join(fe.actions(), ","); got != strings.Join(tc.actions, ",") {
				t.Fatalf("decisions %q, want %q (%+v)", got, strings.Join(tc.actions, ","), fe.decisions)
			}
			if n := len(fe.decisions); n > 0 && !strings.Contains(fe.decisions[n-1].Summary, tc.summary) {
				t.Fatalf("the last decision says %q, want it to say %q", fe.decisions[n-1].Summary, tc.summary)
			}
		})
	}
}

// An unfinished operation is resumed by the leader, then with backoff
// while it cannot be finished, held only by the hold switch: the cooldown
// and the count per window gate new moves, not the finishing of one.
func TestDecideResumesWithBackoff(t *testing.T) {
	full := []safeguard.Past{
		{ID: "op-1", Automatic: true, Services: []string{"web"}, Started: time.Now().Add(-time.Minute)},
		{ID: "op-0", Automatic: true, Services: []string{"web"}, Started: time.Now().Add(-2 * time.Minute)},
	}
	failing := errors.New("dns server 127.0.0.1:53 refused the update")
	fe := &fakeEngine{cfg: testConfig(t, true), placed: map[string]string{"web": "beta"}, history: full,
		unfinished: []journal.Operation{{ID: "op-1", Kind: string(planner.KindAutomatic), Services: []string{"web"}, Status: journal.StatusRunning}},
		resume: func() ([]wire.OperationReport, error) {
			return []wire.OperationReport{{Operation: "op-1"}}, failing
		}}
	d := testDaemon(t, fe, nil)

	d.decide(t.Context())
	if fe.resumes != 1 || strings.Join(fe.actions(), ",") != "resume_failed" {
		t.Fatalf("first turn: %d resumes, decisions %q; want 1 and resume_failed", fe.resumes, fe.actions())
	}
	if wait, due := d.resumeDue(); !due || wait <= 0 || wait > resumeBase {
		t.Fatalf("after a failed attempt: due=%v in %s, want due within %s", due, wait, resumeBase)
	}
	d.decide(t.Context())
	if fe.resumes != 1 {
		t.Fatalf("tried again within the backoff: %d resumes", fe.resumes)
	}

	// The backoff over, the hold switch on: not tried, only put off.
	d.mu.Lock()
	d.resume.next = time.Now().Add(-time.Millisecond)
	d.hold = control.HoldState{On: true, Since: time.Now()}
	d.mu.Unlock()
	d.decide(t.Context())
	if fe.resumes != 1 {
		t.Fatalf("resumed with the hold switch on: %d resumes", fe.resumes)
	}

	// The hold off and the backoff over: finished, whatever the count.
	fe.mu.Lock()
	fe.resume = func() ([]wire.OperationReport, error) {
		fe.unfinished = nil
		return []wire.OperationReport{{Operation: "op-1"}}, nil
	}
	fe.mu.Unlock()
	d.mu.Lock()
	d.resume.next = time.Now().Add(-time.Millisecond)
	d.hold = control.HoldState{}
	d.mu.Unlock()
	d.decide(t.Context())
	if fe.resumes != 2 || strings.Join(fe.actions(), ",") != "resume_failed,resumed" {
		t.Fatalf("after the backoff: %d resumes, decisions %q; want 2 and resume_failed,resumed", fe.resumes, fe.actions())
	}
	if _, due := d.resumeDue(); due {
		t.Fatal("still due once finished")
	}
}

func (f *fakeEngine) DecisionRecords(context.Context, int) ([]journal.Record, error) { return nil, nil }

// A node counts among the live nodes from its start: the decision loop
// publishes its view (nothing checked yet, so nothing lost) before its
// first interval, so a leader does not act alone meanwhile.
func TestLoopPublishesTheViewAtOnce(t *testing.T) {
	fe := &fakeEngine{cfg: testConfig(t, true), placed: map[string]string{"web": "alpha"},
		resume: func() ([]wire.OperationReport, error) { return nil, engine.ErrNoOperation }}
	fe.cfg.Policy.Interval = time.Hour
	m := &fakeMember{published: make(chan cluster.View, 8)}
	d := testDaemon(t, fe, m)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { d.loop(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case v := <-m.published:
		if v.Node != "n1" || len(v.Providers) != 2 || v.Providers[0].State == health.StateDown {
			t.Errorf("first view %+v", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no view published before the first interval (1h)")
	}
}
