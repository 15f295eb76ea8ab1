package executor

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// The planner's IDs of the data steps: fence at the old primary
// (alpha), promote at the target (bravo).
var (
	fenceKey   = planner.DataStepID("www", "alpha", "db", planner.StepFence)
	promoteKey = planner.DataStepID("www", "bravo", "db", planner.StepPromote)
)

// dataWorld is the fake world with bravo an addresses-only target (no
// workspace: the plan has no prepare, apply or read-outputs) and service
// www holding data block "db" with the given DSN per provider.
func dataWorld(t *testing.T, dsn map[string]string) *world {
	t.Helper()
	w := newWorld(t, "alpha", "bravo")
	bravo := w.in.Config.Provider("bravo")
	bravo.Terraform, bravo.Addresses = nil, []string{providerAddr["bravo"]}
	w.in.Config.Service(testService).Data = []*config.Data{pgData(dsn)}
	return w
}

// withDataSteps is plan with the fence of the old primary and the
// promotion of the target between reading the target's addresses and
// waiting for its health, as the planner orders them; a plan that has
// them already is returned as it is.
func withDataSteps(t *testing.T, plan planner.Result) planner.Result {
	t.Helper()
	sp := &plan.Services[0]
	if slices.ContainsFunc(sp.Steps, func(s planner.Step) bool { return s.Kind == planner.StepPromote }) {
		return plan
	}
	i := slices.IndexFunc(sp.Steps, func(s planner.Step) bool { return s.Kind == planner.StepWaitHealthy })
	if i < 0 || slices.ContainsFunc(sp.Steps, func(s planner.Step) bool { return s.Kind == planner.StepPrepare }) {
		t.Fatalf("the fixture plan is not addresses-only: %+v", sp.Steps)
	}
	fence := planner.Step{ID: fenceKey, Kind: planner.StepFence, Service: sp.Service, Provider: sp.From, Data: "db",
		Reason: "stop the old primary taking writes"}
	promote := planner.Step{ID: promoteKey, Kind: planner.StepPromote, Service: sp.Service, Provider: sp.To, Data: "db",
		Reason: "make the target's replica the primary"}
	sp.Steps = slices.Insert(slices.Clone(sp.Steps), i, fence, promote)
	return plan
}

// An operation killed after the promotion and before the DNS cutover
// resumes without promoting again, and completes once: the replica is
// the primary and takes writes, the old primary refuses them, DNS points
// at the target. Killed right after the promotion started (the dead run
// may or may not have promoted: here it did), the resumed run promotes
// again, which finds it done.
func TestResumeAfterPromote(t *testing.T) {
	for _, phase := range []string{"finished", "started"} {
		t.Run(phase, func(t *testing.T) {
			p := testharness.StartPostgres(t)
			p.SQL(t, "CREATE TABLE t (v int)")
			r := p.StartReplica(t)
			w := dataWorld(t, map[string]string{"alpha": p.DSN(), "bravo": r.DSN()})
			plan := withDataSteps(t, w.plan())
			if !startUntilCrash(t, w, plan, promoteKey, phase) {
				return
			}
			op := w.unfinished()
			if phase == "started" {
				// What the killed run had done before it died.
				r.SQL(t, "SELECT pg_promote(true, 60)")
			}
			w.mu.Lock()
			n := len(w.dnsTargetCalls)
			w.mu.Unlock()
			if n != 0 {
				t.Fatalf("DNS touched before the crash (%d calls)", n)
			}

			rep, err := w.executor(nil).Resume(context.Background(), op, ResumeOptions{})
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if len(rep.Services) != 1 || !rep.Services[0].OK || rep.Services[0].To != "bravo" {
				t.Fatalf("report %+v", rep)
			}
			done := w.operation(op.ID)
			if done.Status != journal.StatusSucceeded {
				t.Fatalf("operation %s, want succeeded", done.Status)
			}
			wantPromote, wantOut := []journal.StepStatus{journal.StepOK}, "true"
			if phase == "started" {
				wantPromote, wantOut = []journal.StepStatus{journal.StepInterrupted, journal.StepOK}, "already"
			}
			if got := attempts(done, promoteKey); !slices.Equal(got, wantPromote) {
				t.Errorf("promote attempts %v, want %v", got, wantPromote)
			}
			if got := done.Outputs(promoteKey)[outPromoted]; got != wantOut {
				t.Errorf("promote output %q, want %q", got, wantOut)
			}
			if got := attempts(done, fenceKey); !slices.Equal(got, []journal.StepStatus{journal.StepOK}) {
				t.Errorf("fence attempts %v, want one", got)
			}
			if got := done.Outputs(fenceKey)[outFenced]; got != "true" {
				t.Errorf("fence output %v", done.Outputs(fenceKey))
			}
			for _, k := range []string{"www/bravo/wait-healthy", "www/bravo/dns-cutover", "www/bravo/verify-dns", "www/bravo/notify"} {
				if got := attempts(done, k); !slices.Equal(got, []journal.StepStatus{journal.StepOK}) {
					t.Errorf("%s attempts %v, want one", k, got)
				}
			}
			if notes := w.notifications(); len(notes) != 1 || notes[0].Event != EventSucceeded {
				t.Errorf("notifications %+v, want one success", notes)
			}
			if err := exec1(pgConn(t, r.DSN()), "INSERT INTO t VALUES (1)"); err != nil {
				t.Errorf("a write at the new primary: %v", err)
			}
			if err := exec1(pgConn(t, p.DSN()), "INSERT INTO t VALUES (2)"); !readOnlyErr(err) {
				t.Errorf("a write at the old primary: %v, want refused as read-only", err)
			}
			w.wantDNS("bravo", "dns-a", "dns-b")
		})
	}
}

// A promotion that fails stops the operation before DNS moves, and no
// other candidate is tried.
func TestFailedPromoteStopsBeforeDNS(t *testing.T) {
	p := testharness.StartPostgres(t)
	stopped := p.DSN()
	p.Stop(t)
	w := dataWorld(t, map[string]string{"alpha": stopped, "bravo": stopped})
	w.in.Config.Service(testService).Candidates = []string{"alpha", "bravo", "charlie"}
	_, err := w.executor(nil).Start(context.Background(), withDataSteps(t, w.plan()), "manual")
	if !errors.Is(err, ErrNotPromoted) {
		t.Fatalf("Start: %v, want ErrNotPromoted", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.dnsTargetCalls); n != 0 {
		t.Errorf("DNS touched (%d calls) after a failed promotion", n)
	}
	if len(w.replans) != 0 {
		t.Errorf("replanned %v after a failed promotion", w.replans)
	}
}

// A DSN's password never reaches the events, the report, the errors, the
// notifications or the journal, whether the steps succeed or fail.
func TestDataDSNNeverShown(t *testing.T) {
	const pw = "Dsn-Secret-5c1e9a"
	p := testharness.StartPostgres(t)
	p.SQL(t, "ALTER ROLE postgres PASSWORD '"+pw+"'")
	r := p.StartReplica(t)
	gone := testharness.StartPostgres(t)
	goneDSN := gone.DSNWithPassword(pw)
	gone.Stop(t)
	for _, tc := range []struct {
		name         string
		alpha, bravo string
		ok           bool
	}{
		// The old primary gone, the replica promoted.
		{name: "succeeds", alpha: goneDSN, bravo: r.DSNWithPassword(pw), ok: true},
		// The target's DSN does not parse: pgx would quote it.
		{name: "fails", alpha: p.DSNWithPassword(pw + "-wrong"), bravo: strings.Replace(r.DSNWithPassword(pw), "sslmode=disable", "sslmode=bogus", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := dataWorld(t, map[string]string{"alpha": tc.alpha, "bravo": tc.bravo})
			env := w.env(nil)
			var mu sync.Mutex
			var events []string
			env.Progress = func(ev Event) {
				raw, _ := json.Marshal(ev)
				mu.Lock()
				events = append(events, string(raw))
				mu.Unlock()
			}
			e, err := New(env)
			if err != nil {
				t.Fatal(err)
			}
			plan := withDataSteps(t, w.plan())
			rep, err := e.Start(context.Background(), plan, "manual")
			if (err == nil) != tc.ok {
				t.Fatalf("Start: %v, want ok %v", err, tc.ok)
			}
			ops, jerr := w.journal.Operations(context.Background(), 5)
			if jerr != nil || len(ops) != 1 {
				t.Fatalf("operations %v %v", ops, jerr)
			}
			if !tc.ok && ops[0].Status != journal.StatusFailed {
				t.Errorf("operation %s, want failed", ops[0].Status)
			}
			// The old primary could not be fenced either way: journaled
			// as done, with fenced=false and why.
			if got := ops[0].Outputs(fenceKey); got[outFenced] != "false" || got[outWhy] == "" || !ops[0].Done(fenceKey) {
				t.Errorf("fence journaled %v (done %v), want done with fenced=false and a reason", got, ops[0].Done(fenceKey))
			}
			texts := map[string]string{"events": strings.Join(events, "\n")}
			for name, v := range map[string]any{"journal": ops, "report": rep, "notifications": w.notifications(), "plan": plan} {
				raw, _ := json.Marshal(v)
				texts[name] = string(raw)
			}
			if err != nil {
				texts["error"] = err.Error()
			}
			for name, text := range texts {
				// pgx quotes a DSN it cannot parse with the password masked:
				// that is still a DSN.
				if strings.Contains(text, pw) || strings.Contains(text, tc.alpha) || strings.Contains(text, tc.bravo) ||
					strings.Contains(text, "postgres://") {
					t.Errorf("the %s show a DSN or its password:\n%s", name, text)
				}
			}
			t.Logf("events:\n%s", texts["events"])
			if !strings.Contains(texts["events"], "fence") || !strings.Contains(texts["journal"], promoteKey) {
				t.Errorf("the events or the journal lack the data steps:\n%s\n%s", texts["events"], texts["journal"])
			}
		})
	}
}

// A target without a workspace moves on its configured addresses: the
// plan has no read-outputs step, and the cutover, the verification and
// the notification use the addresses the plan carries.
func TestAddressesOnlyTarget(t *testing.T) {
	w := dataWorld(t, nil)
	w.in.Config.Service(testService).Data = nil
	plan := w.plan()
	rep, err := w.executor(nil).Start(context.Background(), plan, "manual")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if len(rep.Services) != 1 || !slices.Equal(rep.Services[0].Addresses, []string{providerAddr["bravo"]}) {
		t.Fatalf("report %+v", rep)
	}
	w.wantDNS("bravo", "dns-a", "dns-b")
	if notes := w.notifications(); len(notes) != 1 || !slices.Equal(notes[0].Addresses, []string{providerAddr["bravo"]}) {
		t.Errorf("notifications %+v", notes)
	}
}
