// Package journaltest is the conformance suite every journal.Journal
// implementation runs (bbolt, etcd and the in-memory one), so callers can
// rely on the same behaviour whichever backend holds the state.
package journaltest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// NewStore creates a fresh, empty backing store for one test and returns a
// function that opens it. Opening again after Close must see the same data
// (that is how the suite tests durability and fencing across restarts).
type NewStore func(t *testing.T) (open func() (journal.Journal, error))

// t0 is a fixed start time; every test derives its times from it.
var t0 = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// Options say how the stores newStore makes were set up.
type Options struct {
	// RecordsPerKind is the bound on the event log each store was opened
	// with (BoltOptions.MaxRecordsPerKind, ...); 0 means the default,
	// journal.DefaultMaxRecordsPerKind. A small one keeps a durable
	// backend's bound cases quick.
	RecordsPerKind int
}

// Run runs the whole suite against the implementation newStore provides,
// whose stores keep the default number of records.
func Run(t *testing.T, newStore NewStore) { RunWith(t, Options{}, newStore) }

// RunWith runs the whole suite against stores set up as opts says.
func RunWith(t *testing.T, opts Options, newStore NewStore) {
	bound := opts.RecordsPerKind
	if bound <= 0 {
		bound = journal.DefaultMaxRecordsPerKind
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store)
	}{
		{"BeginAssignsIDAndFence", testBegin},
		{"SecondBeginRefused", testSecondBegin},
		{"StepsAndFinish", testStepsAndFinish},
		{"SurvivesReopen", testReopen},
		{"FencesIncreaseAcrossReopen", testFencesAcrossReopen},
		{"ResumeAfterInterruption", testResume},
		{"HistoryNewestFirst", testHistory},
		{"Placement", testPlacement},
		{"Errors", testErrors},
		{"CanceledContext", testCanceled},
		{"ConcurrentBeginOneWins", testConcurrentBegin},
		{"DisjointServicesRunTogether", testDisjointServices},
		{"ValuesAreCopies", testValuesAreCopies},
		{"RecordsAppend", records(testRecordsAppend)},
		{"RecordsFilterAndLimit", records(testRecordsFilterAndLimit)},
		{"RecordsInvalid", records(testRecordsInvalid)},
		{"RecordsData", records(testRecordsData)},
		{"RecordsSurviveReopen", records(testRecordsSurviveReopen)},
		{"RecordsBound", records(testRecordsBound)},
		{"RecordsManyAppends", records(testRecordsManyAppends)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &store{t: t, open: newStore(t), bound: bound}
			s.reopen()
			t.Cleanup(func() { s.j.Close() })
			tc.fn(t, s)
		})
	}
}

type store struct {
	t     *testing.T
	open  func() (journal.Journal, error)
	j     journal.Journal
	bound int // records kept of each kind
}

// records adapts an event-log case, which needs the store's bound.
func records(fn func(t *testing.T, s *store, bound int)) func(t *testing.T, s *store) {
	return func(t *testing.T, s *store) { fn(t, s, s.bound) }
}

// reopen closes the journal (if open) and opens the same store again.
func (s *store) reopen() {
	s.t.Helper()
	if s.j != nil {
		if err := s.j.Close(); err != nil {
			s.t.Fatalf("Close: %v", err)
		}
	}
	j, err := s.open()
	if err != nil {
		s.t.Fatalf("open: %v", err)
	}
	s.j = j
}

func (s *store) begin(kind, service string, started time.Time) journal.Operation {
	s.t.Helper()
	op, err := s.j.Begin(context.Background(), journal.Operation{Kind: kind, Service: service, Started: started})
	if err != nil {
		s.t.Fatalf("Begin: %v", err)
	}
	return op
}

func (s *store) get(id string) journal.Operation {
	s.t.Helper()
	op, err := s.j.Operation(context.Background(), id)
	if err != nil {
		s.t.Fatalf("Operation(%s): %v", id, err)
	}
	return op
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func testBegin(t *testing.T, s *store) {
	ctx := context.Background()
	plan := json.RawMessage(`{"steps":["prepare","apply"]}`)
	op, err := s.j.Begin(ctx, journal.Operation{
		Kind: "failover", Service: "www", From: "aws", To: "hetzner", Plan: plan, Owner: "host:1",
		Started: at(0),
		// Fields Begin must ignore:
		ID: "bogus", Fence: 99, Status: journal.StatusSucceeded, Steps: []journal.Step{{ID: "x"}},
	})
	must(t, err)
	if op.ID == "" || op.ID == "bogus" {
		t.Errorf("ID = %q, want one assigned by Begin", op.ID)
	}
	if op.Fence == 0 {
		t.Errorf("Fence = 0, want > 0")
	}
	want := journal.Operation{
		ID: op.ID, Kind: "failover", Service: "www", From: "aws", To: "hetzner", Plan: plan, Owner: "host:1",
		Status: journal.StatusRunning, Fence: op.Fence, Started: at(0),
	}
	if d := cmp.Diff(want, op, cmpJSON); d != "" {
		t.Errorf("Begin returned (-want +got):\n%s", d)
	}
	got, err := s.j.Unfinished(ctx)
	must(t, err)
	if got == nil {
		t.Fatal("Unfinished = nil after Begin")
	}
	if d := cmp.Diff(want, *got, cmpJSON); d != "" {
		t.Errorf("Unfinished (-want +got):\n%s", d)
	}
}

func testSecondBegin(t *testing.T, s *store) {
	ctx := context.Background()
	first := s.begin("failover", "www", at(0))
	_, err := s.j.Begin(ctx, journal.Operation{Kind: "drill", Service: "api", Started: at(1)})
	wantErr(t, "second Begin", err, journal.ErrOperationRunning)

	must(t, s.j.Finish(ctx, first.Ref(), journal.StatusFailed, "gave up", at(2)))
	if u, err := s.j.Unfinished(ctx); err != nil || u != nil {
		t.Fatalf("Unfinished after Finish = %v, %v; want nil, nil", u, err)
	}
	second := s.begin("drill", "api", at(3))
	if second.ID == first.ID {
		t.Errorf("second operation reused ID %s", first.ID)
	}
}

func testStepsAndFinish(t *testing.T, s *store) {
	ctx := context.Background()
	op := s.begin("failover", "www", at(0))
	ref := op.Ref()
	must(t, s.j.StepStarted(ctx, ref, "prepare", at(1)))
	must(t, s.j.StepFinished(ctx, ref, "prepare", journal.StepResult{Status: journal.StepOK, At: at(2)}))
	must(t, s.j.StepStarted(ctx, ref, "apply", at(2)))
	must(t, s.j.StepFinished(ctx, ref, "apply", journal.StepResult{Status: journal.StepFailed, Error: "timeout", At: at(5)}))
	// A retry is a second attempt of the same step.
	must(t, s.j.StepStarted(ctx, ref, "apply", at(6)))
	must(t, s.j.StepFinished(ctx, ref, "apply", journal.StepResult{Status: journal.StepOK, At: at(9)}))
	outs := map[string]string{"web_ipv4": `["127.0.0.2","127.0.0.3"]`}
	must(t, s.j.StepStarted(ctx, ref, "read-outputs", at(9)))
	must(t, s.j.StepFinished(ctx, ref, "read-outputs", journal.StepResult{Status: journal.StepOK, Outputs: outs, At: at(10)}))
	// Never started: recorded as a zero-length attempt.
	must(t, s.j.StepFinished(ctx, ref, "notify", journal.StepResult{Status: journal.StepSkipped, Error: "no notifiers", At: at(11)}))
	must(t, s.j.Finish(ctx, ref, journal.StatusSucceeded, "www now at hetzner", at(12)))

	got := s.get(op.ID)
	want := journal.Operation{
		ID: op.ID, Kind: "failover", Service: "www", Status: journal.StatusSucceeded, Fence: op.Fence,
		Started: at(0), Finished: at(12), Summary: "www now at hetzner",
		Steps: []journal.Step{
			{ID: "prepare", Attempt: 1, Status: journal.StepOK, Started: at(1), Finished: at(2)},
			{ID: "apply", Attempt: 1, Status: journal.StepFailed, Started: at(2), Finished: at(5), Error: "timeout"},
			{ID: "apply", Attempt: 2, Status: journal.StepOK, Started: at(6), Finished: at(9)},
			{ID: "read-outputs", Attempt: 1, Status: journal.StepOK, Started: at(9), Finished: at(10), Outputs: outs},
			{ID: "notify", Attempt: 1, Status: journal.StepSkipped, Started: at(11), Finished: at(11), Error: "no notifiers"},
		},
	}
	if d := cmp.Diff(want, got, cmpJSON); d != "" {
		t.Errorf("operation (-want +got):\n%s", d)
	}
	if !got.Done("apply") || !got.Done("notify") || got.Done("dns-cutover") {
		t.Errorf("Done: apply=%v notify=%v dns-cutover=%v; want true true false",
			got.Done("apply"), got.Done("notify"), got.Done("dns-cutover"))
	}
	if got.Duration() != 12*time.Second {
		t.Errorf("Duration = %v, want 12s", got.Duration())
	}
	if u, err := s.j.Unfinished(ctx); err != nil || u != nil {
		t.Errorf("Unfinished after Finish = %v, %v; want nil, nil", u, err)
	}
	// A finished operation takes no more writes.
	wantErr(t, "StepStarted after Finish", s.j.StepStarted(ctx, ref, "late", at(13)), journal.ErrFinished)
	wantErr(t, "Finish twice", s.j.Finish(ctx, ref, journal.StatusFailed, "", at(13)), journal.ErrFinished)
}

func testReopen(t *testing.T, s *store) {
	ctx := context.Background()
	op := s.begin("failover", "www", at(0))
	ref := op.Ref()
	must(t, s.j.StepStarted(ctx, ref, "apply", at(1)))
	must(t, s.j.StepFinished(ctx, ref, "apply", journal.StepResult{Status: journal.StepOK, Outputs: map[string]string{"ip": "127.0.0.2"}, At: at(2)}))
	must(t, s.j.SetPlacement(ctx, ref, "www", "hetzner", at(3)))
	before := s.get(op.ID)

	s.reopen()
	after := s.get(op.ID)
	if d := cmp.Diff(before, after, cmpJSON); d != "" {
		t.Errorf("operation changed across reopen (-before +after):\n%s", d)
	}
	u, err := s.j.Unfinished(ctx)
	must(t, err)
	if u == nil || u.ID != op.ID {
		t.Fatalf("Unfinished after reopen = %v, want %s", u, op.ID)
	}
	if got := u.Outputs("apply")["ip"]; got != "127.0.0.2" {
		t.Errorf("outputs of apply after reopen: ip = %q, want 127.0.0.2", got)
	}
	p, err := s.j.Placement(ctx)
	must(t, err)
	if p["www"].Provider != "hetzner" {
		t.Errorf("placement after reopen = %v, want www at hetzner", p)
	}
	// The same writer may carry on: reopening is not a takeover.
	must(t, s.j.Finish(ctx, ref, journal.StatusSucceeded, "", at(4)))
}

func testFencesAcrossReopen(t *testing.T, s *store) {
	ctx := context.Background()
	var last uint64
	var ids []string
	for i := range 4 {
		op := s.begin("drill", "www", at(10*i))
		if op.Fence <= last {
			t.Fatalf("operation %d: fence %d not above previous %d", i, op.Fence, last)
		}
		last = op.Fence
		ids = append(ids, op.ID)
		if i == 1 {
			// Resume issues a fence too; the next Begin must exceed it.
			r, err := s.j.Resume(ctx, op.ID, at(10*i+1))
			must(t, err)
			if r.Fence <= last {
				t.Fatalf("Resume fence %d not above %d", r.Fence, last)
			}
			last = r.Fence
			op = r
		}
		must(t, s.j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", at(10*i+5)))
		s.reopen()
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Errorf("IDs not increasing: %q then %q", ids[i-1], ids[i])
		}
	}
}

func testResume(t *testing.T, s *store) {
	ctx := context.Background()
	op := s.begin("failover", "www", at(0))
	old := op.Ref()
	must(t, s.j.StepStarted(ctx, old, "prepare", at(1)))
	must(t, s.j.StepFinished(ctx, old, "prepare", journal.StepResult{Status: journal.StepOK, At: at(2)}))
	must(t, s.j.StepStarted(ctx, old, "apply", at(2)))
	// The process dies here; a new one starts.
	s.reopen()

	u, err := s.j.Unfinished(ctx)
	must(t, err)
	if u == nil || u.ID != op.ID {
		t.Fatalf("Unfinished = %v, want %s", u, op.ID)
	}
	_, err = s.j.Begin(ctx, journal.Operation{Kind: "failover", Started: at(60)})
	wantErr(t, "Begin while interrupted", err, journal.ErrOperationRunning)

	r, err := s.j.Resume(ctx, u.ID, at(60))
	must(t, err)
	if r.Fence <= old.Fence {
		t.Errorf("Resume fence %d not above %d", r.Fence, old.Fence)
	}
	if r.Status != journal.StatusRunning {
		t.Errorf("status after Resume = %s, want running", r.Status)
	}
	if d := cmp.Diff([]time.Time{at(60)}, r.Resumed); d != "" {
		t.Errorf("Resumed (-want +got):\n%s", d)
	}
	if st, _ := r.Step("apply"); st.Status != journal.StepInterrupted {
		t.Errorf("apply after Resume = %s, want interrupted", st.Status)
	}
	if !r.Done("prepare") || r.Done("apply") {
		t.Errorf("Done(prepare)=%v Done(apply)=%v, want true false", r.Done("prepare"), r.Done("apply"))
	}

	// The stale writer is fenced off everywhere.
	wantErr(t, "StepStarted with old fence", s.j.StepStarted(ctx, old, "apply", at(61)), journal.ErrFenced)
	wantErr(t, "StepFinished with old fence", s.j.StepFinished(ctx, old, "apply", journal.StepResult{Status: journal.StepOK, At: at(61)}), journal.ErrFenced)
	wantErr(t, "SetPlacement with old fence", s.j.SetPlacement(ctx, old, "www", "aws", at(61)), journal.ErrFenced)
	wantErr(t, "Finish with old fence", s.j.Finish(ctx, old, journal.StatusFailed, "", at(61)), journal.ErrFenced)

	ref := r.Ref()
	must(t, s.j.StepStarted(ctx, ref, "apply", at(61)))
	must(t, s.j.StepFinished(ctx, ref, "apply", journal.StepResult{Status: journal.StepOK, At: at(70)}))
	must(t, s.j.Finish(ctx, ref, journal.StatusSucceeded, "", at(71)))
	wantErr(t, "old fence after Finish", s.j.StepStarted(ctx, old, "x", at(72)), journal.ErrFenced)
	_, err = s.j.Resume(ctx, op.ID, at(72))
	wantErr(t, "Resume of finished operation", err, journal.ErrFinished)

	got := s.get(op.ID)
	var steps []string
	for _, st := range got.Steps {
		steps = append(steps, st.ID+"/"+string(st.Status))
	}
	want := []string{"prepare/ok", "apply/interrupted", "apply/ok"}
	if d := cmp.Diff(want, steps); d != "" {
		t.Errorf("timeline (-want +got):\n%s", d)
	}
	if a, _ := got.Step("apply"); a.Attempt != 2 {
		t.Errorf("apply attempt = %d, want 2", a.Attempt)
	}
}

func testHistory(t *testing.T, s *store) {
	ctx := context.Background()
	var ids []string
	for i, svc := range []string{"a", "b", "c"} {
		op := s.begin("drill", svc, at(100*i))
		must(t, s.j.StepStarted(ctx, op.Ref(), "check", at(100*i+1)))
		must(t, s.j.StepFinished(ctx, op.Ref(), "check", journal.StepResult{Status: journal.StepOK, At: at(100*i + 2)}))
		must(t, s.j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", at(100*i+3)))
		ids = append(ids, op.ID)
	}
	all, err := s.j.Operations(ctx, 0)
	must(t, err)
	var got []string
	for _, op := range all {
		got = append(got, op.ID+"/"+op.Service)
		if len(op.Steps) != 1 || op.Steps[0].Status != journal.StepOK {
			t.Errorf("operation %s steps = %+v, want one ok step", op.ID, op.Steps)
		}
	}
	want := []string{ids[2] + "/c", ids[1] + "/b", ids[0] + "/a"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Operations(0) (-want +got):\n%s", d)
	}
	two, err := s.j.Operations(ctx, 2)
	must(t, err)
	if len(two) != 2 || two[0].ID != ids[2] || two[1].ID != ids[1] {
		t.Errorf("Operations(2) = %d operations, want the newest two", len(two))
	}
}

func testPlacement(t *testing.T, s *store) {
	ctx := context.Background()
	p, err := s.j.Placement(ctx)
	must(t, err)
	if len(p) != 0 {
		t.Fatalf("placement of a new journal = %v, want empty", p)
	}
	op := s.begin("failover", "www", at(0))
	must(t, s.j.SetPlacement(ctx, op.Ref(), "www", "hetzner", at(5)))
	must(t, s.j.SetPlacement(ctx, op.Ref(), "api", "aws", at(6)))
	must(t, s.j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", at(7)))
	wantErr(t, "SetPlacement after Finish", s.j.SetPlacement(ctx, op.Ref(), "www", "aws", at(8)), journal.ErrFinished)

	op2 := s.begin("failback", "www", at(10))
	must(t, s.j.SetPlacement(ctx, op2.Ref(), "www", "aws", at(15)))
	p, err = s.j.Placement(ctx)
	must(t, err)
	want := map[string]journal.Placement{
		"www": {Service: "www", Provider: "aws", OpID: op2.ID, Since: at(15)},
		"api": {Service: "api", Provider: "aws", OpID: op.ID, Since: at(6)},
	}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("Placement (-want +got):\n%s", d)
	}
}

func testErrors(t *testing.T, s *store) {
	ctx := context.Background()
	_, err := s.j.Operation(ctx, "no-such-op")
	wantErr(t, "Operation(unknown)", err, journal.ErrNotFound)
	_, err = s.j.Operation(ctx, "99999999")
	wantErr(t, "Operation(unused ID)", err, journal.ErrNotFound)
	_, err = s.j.Resume(ctx, "99999999", at(0))
	wantErr(t, "Resume(unknown)", err, journal.ErrNotFound)
	wantErr(t, "StepStarted(unknown)", s.j.StepStarted(ctx, journal.Ref{ID: "99999999", Fence: 1}, "x", at(0)), journal.ErrNotFound)

	_, err = s.j.Begin(ctx, journal.Operation{Started: at(0)})
	wantErr(t, "Begin without kind", err, journal.ErrInvalid)
	_, err = s.j.Begin(ctx, journal.Operation{Kind: "failover"})
	wantErr(t, "Begin without start time", err, journal.ErrInvalid)

	op := s.begin("failover", "www", at(0))
	ref := op.Ref()
	wantErr(t, "Finish(running)", s.j.Finish(ctx, ref, journal.StatusRunning, "", at(1)), journal.ErrInvalid)
	wantErr(t, "StepFinished(running)", s.j.StepFinished(ctx, ref, "x", journal.StepResult{Status: journal.StepRunning, At: at(1)}), journal.ErrInvalid)
	wantErr(t, "StepStarted(empty ID)", s.j.StepStarted(ctx, ref, "", at(1)), journal.ErrInvalid)
	wantErr(t, "SetPlacement(empty provider)", s.j.SetPlacement(ctx, ref, "www", "", at(1)), journal.ErrInvalid)
	wantErr(t, "StepStarted(wrong fence)", s.j.StepStarted(ctx, journal.Ref{ID: op.ID, Fence: op.Fence + 1}, "x", at(1)), journal.ErrFenced)

	// None of the refused calls may have left a trace.
	got := s.get(op.ID)
	if len(got.Steps) != 0 || got.Status != journal.StatusRunning {
		t.Errorf("after refused calls: status %s, %d steps; want running, 0", got.Status, len(got.Steps))
	}
	// Finishing with steps still running marks them interrupted.
	must(t, s.j.StepStarted(ctx, ref, "apply", at(2)))
	must(t, s.j.Finish(ctx, ref, journal.StatusAborted, "operator abort", at(3)))
	if st, _ := s.get(op.ID).Step("apply"); st.Status != journal.StepInterrupted {
		t.Errorf("running step after Finish = %s, want interrupted", st.Status)
	}
}

func testCanceled(t *testing.T, s *store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.j.Begin(ctx, journal.Operation{Kind: "failover", Started: at(0)})
	wantErr(t, "Begin(canceled)", err, context.Canceled)
	_, err = s.j.Operations(ctx, 0)
	wantErr(t, "Operations(canceled)", err, context.Canceled)
	if u, err := s.j.Unfinished(context.Background()); err != nil || u != nil {
		t.Errorf("Unfinished after canceled Begin = %v, %v; want nil, nil", u, err)
	}
}

func testConcurrentBegin(t *testing.T, s *store) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.j.Begin(context.Background(), journal.Operation{Kind: "failover", Started: at(i)})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, journal.ErrOperationRunning):
			t.Errorf("concurrent Begin: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent Begins succeeded, want exactly 1", won, n)
	}
}

// cmpJSON compares JSON documents by value, so a backend may re-encode them,
// and nil slices and maps with empty ones.
var cmpJSON = cmp.Options{cmpopts.EquateEmpty(), cmpJSONDoc}

var cmpJSONDoc = cmp.FilterValues(func(a, b json.RawMessage) bool { return len(a) > 0 || len(b) > 0 },
	cmp.Comparer(func(a, b json.RawMessage) bool {
		var x, y any
		if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
			return string(a) == string(b)
		}
		return cmp.Equal(x, y)
	}))

// An unfinished operation holds up only the services it concerns.
func testDisjointServices(t *testing.T, s *store) {
	ctx := context.Background()
	www, err := s.j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"www"}, Started: at(0)})
	if err != nil {
		t.Fatalf("Begin www: %v", err)
	}
	api, err := s.j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"api", "mail"}, Started: at(1)})
	if err != nil {
		t.Fatalf("Begin api while www is unfinished: %v", err)
	}
	_, err = s.j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"mail"}, Started: at(2)})
	wantErr(t, "Begin mail while api+mail is unfinished", err, journal.ErrOperationRunning)
	_, err = s.j.Begin(ctx, journal.Operation{Kind: "manual", Started: at(2)})
	wantErr(t, "Begin for every service while two are unfinished", err, journal.ErrOperationRunning)
	s.reopen()
	all, err := s.j.UnfinishedAll(ctx)
	if err != nil || len(all) != 2 || all[0].ID != www.ID || all[1].ID != api.ID || len(all[1].Services) != 2 {
		t.Fatalf("UnfinishedAll = %+v, %v; want www then api", all, err)
	}
	if u, err := s.j.Unfinished(ctx); err != nil || u == nil || u.ID != www.ID {
		t.Fatalf("Unfinished = %v, %v; want the oldest, %s", u, err, www.ID)
	}
	if err := s.j.Finish(ctx, www.Ref(), journal.StatusAborted, "stuck", at(3)); err != nil {
		t.Fatal(err)
	}
	all, err = s.j.UnfinishedAll(ctx)
	if err != nil || len(all) != 1 || all[0].ID != api.ID {
		t.Fatalf("UnfinishedAll after finishing www = %+v, %v", all, err)
	}
	if _, err := s.j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"www"}, Started: at(4)}); err != nil {
		t.Fatalf("Begin www again: %v", err)
	}
}

// What a caller passes in or gets back is its own copy: changing it later
// never changes the journal (as it cannot through a file or the network).
func testValuesAreCopies(t *testing.T, s *store) {
	ctx := context.Background()
	in := journal.Operation{Kind: "manual", Services: []string{"www"}, Plan: json.RawMessage(`{"to":"bravo"}`), Started: at(0)}
	op, err := s.j.Begin(ctx, in)
	must(t, err)
	in.Services[0], in.Plan[2] = "api", 'X'
	outputs := map[string]string{"ip": "127.0.0.2"}
	must(t, s.j.StepFinished(ctx, op.Ref(), "apply", journal.StepResult{Status: journal.StepOK, Outputs: outputs, At: at(1)}))
	outputs["ip"] = "changed"
	must(t, s.j.SetPlacement(ctx, op.Ref(), "www", "bravo", at(2)))

	got := s.get(op.ID)
	got.Services[0], got.Plan[2] = "mail", 'Y'
	got.Steps[0].Outputs["ip"] = "changed too"
	got.Steps[0].Status = journal.StepFailed
	p, err := s.j.Placement(ctx)
	must(t, err)
	p["www"] = journal.Placement{Service: "www", Provider: "elsewhere"}
	all, err := s.j.UnfinishedAll(ctx)
	must(t, err)
	all[0].Services[0] = "mail"

	again := s.get(op.ID)
	if again.Services[0] != "www" || string(again.Plan) != `{"to":"bravo"}` {
		t.Errorf("operation is %v with plan %s; want services [www] and the plan as begun", again.Services, again.Plan)
	}
	if st, _ := again.Step("apply"); st.Outputs["ip"] != "127.0.0.2" || st.Status != journal.StepOK {
		t.Errorf("step apply is %s with outputs %v; want ok with ip 127.0.0.2", st.Status, st.Outputs)
	}
	p, err = s.j.Placement(ctx)
	must(t, err)
	if p["www"].Provider != "bravo" {
		t.Errorf("placement of www is %q, want bravo", p["www"].Provider)
	}
}
