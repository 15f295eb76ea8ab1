package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// The fake estate: service www placed on alpha (lost), with bravo then
// charlie as the next candidates; two DNS providers holding zone
// example.test. Addresses are documentation addresses: nothing dials them,
// the fake health checks only look them up.
const (
	testZone    = "example.test."
	testService = "www"
)

var providerAddr = map[string]string{"alpha": "192.0.2.1", "bravo": "192.0.2.2", "charlie": "192.0.2.3"}

func providerOf(addr string) string {
	for p, a := range providerAddr {
		if a == addr {
			return p
		}
	}
	return ""
}

func testConfig(candidates ...string) *config.Config {
	ws := func(name string) *config.Workspace {
		return &config.Workspace{Dir: "infra/" + name, Workspace: "default", Vars: map[string]string{"size": "small"}}
	}
	return &config.Config{
		Filename: "lifeboat.hcl",
		DNS: []*config.DNSProvider{
			{Name: "dns-a", Type: "fake", Zone: testZone, Vendor: "vendor-a"},
			{Name: "dns-b", Type: "fake", Zone: testZone, Vendor: "vendor-b"},
		},
		Providers: []*config.Provider{
			{Name: "alpha", Vendor: "alpha", Standby: config.StandbyActive, Terraform: ws("alpha")},
			{Name: "bravo", Vendor: "bravo", Standby: config.StandbyWarm, Terraform: ws("bravo")},
			{Name: "charlie", Vendor: "charlie", Standby: config.StandbyWarm, Terraform: ws("charlie")},
		},
		Services: []*config.Service{{
			Name: testService, Records: []string{"@", "www"}, TTL: 60, Candidates: candidates,
			AddressOutput: "web_ipv4",
			Checks:        []*config.Check{{Name: "http", HTTP: &config.HTTPCheck{Path: "/healthz"}}},
		}},
		// Whole seconds: the planner journals timeouts in seconds.
		Policy: config.Policy{WaitHealthy: time.Second, VerifyDNS: time.Second},
		Notify: []*config.Notify{{Name: "ops"}},
	}
}

// world is the fake environment one test runs executors in. Every method
// is safe for the executor's goroutines.
type world struct {
	t       *testing.T
	journal journal.Journal
	in      planner.Input
	dns     map[string]*fakeDNS

	mu sync.Mutex
	// calls lists workspace calls as "provider/kind".
	calls []string
	// failOn makes a workspace call fail; blockOn makes it wait for its
	// context to end (bounded), keyed like calls.
	failOn  map[string]error
	blockOn map[string]bool
	healthy map[string]bool
	// healthCalls counts CheckHealth calls.
	healthCalls int
	// dnsTargetCalls lists the non-empty name lists DNSTargets was asked for.
	dnsTargetCalls [][]string
	notes          []Notification
	// onNotify, when set, decides what Notify returns.
	onNotify func(ctx context.Context, n Notification) error
	replans  []map[string]string
	// applyVars lists the vars of every workspace apply.
	applyVars []map[string]string
}

func newWorld(t *testing.T, candidates ...string) *world {
	t.Helper()
	if len(candidates) == 0 {
		candidates = []string{"alpha", "bravo", "charlie"}
	}
	w := &world{
		t:       t,
		journal: newTestJournal(t),
		dns:     map[string]*fakeDNS{},
		failOn:  map[string]error{},
		blockOn: map[string]bool{},
		healthy: map[string]bool{"bravo": true, "charlie": true},
		in: planner.Input{
			Config: testConfig(candidates...),
			Providers: map[string]planner.Observation{
				"alpha":   {State: planner.StateDown, Reason: "3 of 3 checks failed"},
				"bravo":   {State: planner.StateHealthy},
				"charlie": {State: planner.StateHealthy},
			},
			DNS: map[string]planner.Observation{
				"dns-a": {State: planner.StateHealthy},
				"dns-b": {State: planner.StateHealthy},
			},
			Placement: map[string]string{testService: "alpha"},
			Request:   planner.Request{Kind: planner.KindAutomatic},
		},
	}
	for _, name := range []string{"dns-a", "dns-b"} {
		w.dns[name] = newFakeDNS(t, name, testZone)
	}
	return w
}

// newTestJournal is the journal every test runs on: in memory, so the
// executor's tests need no disk and run fast; the journal package's
// conformance suite holds it to the same behaviour as the bbolt file.
func newTestJournal(t *testing.T) journal.Journal {
	t.Helper()
	j := journal.NewMemory()
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func (w *world) plan() planner.Result {
	w.t.Helper()
	res, err := planner.Plan(w.in)
	if err != nil {
		w.t.Fatalf("plan: %v", err)
	}
	if res.Moves() != 1 {
		w.t.Fatalf("the fixture plan moves %d services, want 1: %s", res.Moves(), res.Text())
	}
	return res
}

// env is a fresh Env on the world; afterJournal may be nil.
func (w *world) env(afterJournal func(key, phase string)) Env {
	return Env{
		Journal:     w.journal,
		Workspace:   func(st planner.Step) (Workspace, error) { return fakeWorkspace{w: w, provider: st.Provider}, nil },
		CheckHealth: w.checkHealth,
		DNSTargets:  w.dnsTargets,
		DNSOptions: dnscutover.Options{
			Retry:         dnswriter.Retry{Attempts: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, AttemptTimeout: time.Second},
			VerifyTimeout: time.Second,
			PollInterval:  10 * time.Millisecond, QueryTimeout: 200 * time.Millisecond,
		},
		Replan:       w.replan,
		Notify:       w.notify,
		Data:         w.data,
		AfterJournal: afterJournal,
		HealthPoll:   10 * time.Millisecond,
	}
}

func (w *world) executor(afterJournal func(key, phase string)) *Executor {
	w.t.Helper()
	e, err := New(w.env(afterJournal))
	if err != nil {
		w.t.Fatal(err)
	}
	return e
}

func (w *world) setHealthy(provider string, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.healthy[provider] = ok
}

func (w *world) checkHealth(ctx context.Context, service string, addrs []string) (bool, string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.healthCalls++
	if service != testService || len(addrs) == 0 {
		return false, "", fmt.Errorf("fake health: unexpected service %q or no addresses %v", service, addrs)
	}
	for _, a := range addrs {
		p := providerOf(a)
		if !w.healthy[p] {
			return false, fmt.Sprintf("check \"http\" on %s (%s): connection refused", a, p), nil
		}
	}
	return true, "", nil
}

func (w *world) dnsTargets(ctx context.Context, names []string) ([]dnscutover.Target, error) {
	if len(names) > 0 {
		w.mu.Lock()
		w.dnsTargetCalls = append(w.dnsTargetCalls, slices.Clone(names))
		w.mu.Unlock()
	}
	var out []dnscutover.Target
	for _, n := range names {
		f := w.dns[n]
		if f == nil {
			return nil, fmt.Errorf("fake: no dns block %q", n)
		}
		out = append(out, dnscutover.Target{Name: n, Zone: f.zone, Provider: f, Nameservers: []string{f.addr}})
	}
	return out, nil
}

func (w *world) notify(ctx context.Context, names []string, n Notification) error {
	w.mu.Lock()
	w.notes = append(w.notes, n)
	hook := w.onNotify
	w.mu.Unlock()
	if !slices.Equal(names, []string{"ops"}) {
		return fmt.Errorf("fake notify: unexpected blocks %v", names)
	}
	if hook != nil {
		return hook(ctx, n)
	}
	return nil
}

// data reads a data block from the world's configuration, as the engine
// does from its own.
func (w *world) data(service, name string) (*config.Data, error) {
	s := w.in.Config.Service(service)
	if s == nil {
		return nil, fmt.Errorf("fake: no service %q", service)
	}
	for _, d := range s.Data {
		if d.Name == name {
			return d, nil
		}
	}
	return nil, nil
}

// replan re-runs the planner with the excluded providers seen as down, as
// the engine does.
func (w *world) replan(service string, excluded map[string]string) (planner.ServicePlan, error) {
	w.mu.Lock()
	w.replans = append(w.replans, maps.Clone(excluded))
	w.mu.Unlock()
	return planner.Replan(w.in, service, excluded)
}

// count is how many workspace calls were "provider/kind".
func (w *world) count(call string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.calls {
		if c == call {
			n++
		}
	}
	return n
}

// notifications are those of how operations ended: operation.started is
// left out (see started), so that each test counts the outcomes it caused.
func (w *world) notifications() []Notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Notification
	for _, n := range w.notes {
		if n.Event != EventStarted {
			out = append(out, n)
		}
	}
	return out
}

// started are the operation.started notifications.
func (w *world) started() []Notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Notification
	for _, n := range w.notes {
		if n.Event == EventStarted {
			out = append(out, n)
		}
	}
	return out
}

// fakeWorkspace records each call in its world.
type fakeWorkspace struct {
	w        *world
	provider string
}

func (f fakeWorkspace) call(ctx context.Context, kind string) error {
	key := f.provider + "/" + kind
	f.w.mu.Lock()
	f.w.calls = append(f.w.calls, key)
	fail, block := f.w.failOn[key], f.w.blockOn[key]
	f.w.mu.Unlock()
	if block {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
			return errors.New("fake workspace: blocked call never cancelled")
		}
	}
	return fail
}

func (f fakeWorkspace) Prepare(ctx context.Context) error { return f.call(ctx, "prepare") }

func (f fakeWorkspace) Apply(ctx context.Context, vars map[string]string, progress func(terraform.Event)) error {
	if vars["size"] != "small" {
		return fmt.Errorf("fake apply: vars %v", vars)
	}
	f.w.mu.Lock()
	f.w.applyVars = append(f.w.applyVars, maps.Clone(vars))
	f.w.mu.Unlock()
	progress(terraform.Event{Type: "apply_start", Message: "fake: creating"})
	return f.call(ctx, "apply")
}

func (f fakeWorkspace) Addresses(ctx context.Context, output string) ([]string, error) {
	if err := f.call(ctx, "read-outputs"); err != nil {
		return nil, err
	}
	if output != "web_ipv4" {
		return nil, fmt.Errorf("fake outputs: no output %q", output)
	}
	return []string{providerAddr[f.provider]}, nil
}

// operation reads op back from the world's journal.
func (w *world) operation(id string) journal.Operation {
	w.t.Helper()
	op, err := w.journal.Operation(context.Background(), id)
	if err != nil {
		w.t.Fatalf("journal: %v", err)
	}
	return op
}

// unfinished is the journal's unfinished operation, or fails the test.
func (w *world) unfinished() journal.Operation {
	w.t.Helper()
	op, err := w.journal.Unfinished(context.Background())
	if err != nil || op == nil {
		w.t.Fatalf("Unfinished = %v, %v; want the interrupted operation", op, err)
	}
	return *op
}

// placement is where the journal says the service runs.
func (w *world) placement() string {
	w.t.Helper()
	pl, err := w.journal.Placement(context.Background())
	if err != nil {
		w.t.Fatalf("placement: %v", err)
	}
	return pl[testService].Provider
}

// attempts lists the statuses of every attempt of a step.
func attempts(op journal.Operation, key string) []journal.StepStatus {
	var out []journal.StepStatus
	for _, s := range op.Steps {
		if s.ID == key {
			out = append(out, s.Status)
		}
	}
	return out
}

// wantDNS fails unless every record at the named DNS providers holds
// exactly the provider's address.
func (w *world) wantDNS(provider string, names ...string) {
	w.t.Helper()
	want := []string{providerAddr[provider]}
	for _, n := range names {
		for _, rec := range []string{"@", "www"} {
			if got := w.dns[n].addresses(rec); !slices.Equal(got, want) {
				w.t.Errorf("%s at %s holds %v, want %v (%s)", rec, n, got, want, provider)
			}
		}
	}
}
