package journaltest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// The event log's cases. bound is the number of records of each kind the
// store under test keeps.

func (s *store) append(r journal.Record) journal.Record {
	s.t.Helper()
	got, err := s.j.Append(context.Background(), r)
	if err != nil {
		s.t.Fatalf("Append(%s): %v", r.Kind, err)
	}
	return got
}

func (s *store) records(kind journal.RecordKind, limit int) []journal.Record {
	s.t.Helper()
	got, err := s.j.Records(context.Background(), kind, limit)
	if err != nil {
		s.t.Fatalf("Records(%q, %d): %v", kind, limit, err)
	}
	return got
}

// newestFirst returns the records in reverse, as Records lists them.
func newestFirst(rs []journal.Record) []journal.Record {
	out := make([]journal.Record, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		out = append(out, rs[i])
	}
	return out
}

func rec(kind journal.RecordKind, sec int, summary string) journal.Record {
	return journal.Record{Kind: kind, At: at(sec), Service: "www", Summary: summary}
}

func testRecordsAppend(t *testing.T, s *store, _ int) {
	if got := s.records("", 0); len(got) != 0 {
		t.Fatalf("Records of a new journal = %+v, want none", got)
	}
	in := []journal.Record{
		{Kind: journal.RecordDecision, At: at(0), Service: "www", OpID: "00000007", Summary: "failover to bravo",
			Data: json.RawMessage(`{"action":"failover","to":"bravo"}`), Seq: 99}, // Seq is the journal's to assign
		{Kind: journal.RecordHold, At: at(1), Summary: "hold on"},
		{Kind: journal.RecordDrill, At: at(2), Service: "api", Summary: "drill passed", Data: json.RawMessage(`[1,2,3]`)},
	}
	var out []journal.Record
	for i, r := range in {
		got := s.append(r)
		if i > 0 && got.Seq <= out[i-1].Seq {
			t.Errorf("record %d has Seq %d, not above the previous %d", i, got.Seq, out[i-1].Seq)
		}
		if got.Seq == 99 && i == 0 {
			t.Errorf("Append kept the caller's Seq 99")
		}
		want := r
		want.Seq = got.Seq
		if d := cmp.Diff(want, got, cmpJSON); d != "" {
			t.Errorf("Append returned (-want +got):\n%s", d)
		}
		out = append(out, got)
	}
	if d := cmp.Diff(newestFirst(out), s.records("", 0), cmpJSON); d != "" {
		t.Errorf("Records, newest first (-want +got):\n%s", d)
	}
}

func testRecordsFilterAndLimit(t *testing.T, s *store, _ int) {
	kinds := []journal.RecordKind{journal.RecordDecision, journal.RecordHold, journal.RecordDecision, journal.RecordDrill, journal.RecordDecision, journal.RecordHold}
	var all []journal.Record
	byKind := map[journal.RecordKind][]journal.Record{}
	for i, k := range kinds {
		r := s.append(rec(k, i, string(k)))
		all = append(all, r)
		byKind[k] = append(byKind[k], r)
	}
	for _, k := range []journal.RecordKind{journal.RecordDecision, journal.RecordHold, journal.RecordDrill} {
		if d := cmp.Diff(newestFirst(byKind[k]), s.records(k, 0), cmpJSON); d != "" {
			t.Errorf("Records(%s) (-want +got):\n%s", k, d)
		}
	}
	if d := cmp.Diff(newestFirst(all)[:2], s.records("", 2), cmpJSON); d != "" {
		t.Errorf("Records(\"\", 2) (-want +got):\n%s", d)
	}
	if d := cmp.Diff(newestFirst(byKind[journal.RecordDecision])[:1], s.records(journal.RecordDecision, 1), cmpJSON); d != "" {
		t.Errorf("Records(decision, 1) (-want +got):\n%s", d)
	}
	if d := cmp.Diff(newestFirst(all), s.records("", -1), cmpJSON); d != "" {
		t.Errorf("Records(\"\", -1) (-want +got):\n%s", d)
	}
	if got := s.records(journal.RecordDecision, 100); len(got) != 3 {
		t.Errorf("Records(decision, 100) gave %d records, want the 3 there are", len(got))
	}
	if got := s.records("no-such-kind", 0); len(got) != 0 {
		t.Errorf("Records of a kind never appended = %+v, want none", got)
	}
}

func testRecordsInvalid(t *testing.T, s *store, _ int) {
	ctx := context.Background()
	for name, r := range map[string]journal.Record{
		"empty kind":         {At: at(0), Summary: "x"},
		"zero time":          {Kind: journal.RecordDecision, Summary: "x"},
		"data not JSON":      {Kind: journal.RecordDecision, At: at(0), Data: json.RawMessage(`{"action":`)},
		"data two documents": {Kind: journal.RecordDecision, At: at(0), Data: json.RawMessage(`{} {}`)},
		"kind too long":      {Kind: journal.RecordKind(strings.Repeat("k", 65)), At: at(0)},
	} {
		_, err := s.j.Append(ctx, r)
		wantErr(t, "Append with "+name, err, journal.ErrInvalid)
	}
	if got := s.records("", 0); len(got) != 0 {
		t.Errorf("refused appends left records: %+v", got)
	}
	// The data of a refused record is not repeated in the error: it may
	// hold what the operator would not want in a log.
	_, err := s.j.Append(ctx, journal.Record{Kind: journal.RecordDecision, At: at(0), Data: json.RawMessage(`{"token":"s3cr3t`)})
	wantErr(t, "Append with unfinished data", err, journal.ErrInvalid)
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error repeats the data: %v", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.j.Append(cctx, rec(journal.RecordHold, 0, "hold on"))
	wantErr(t, "Append(canceled)", err, context.Canceled)
	_, err = s.j.Records(cctx, "", 0)
	wantErr(t, "Records(canceled)", err, context.Canceled)
	if got := s.records("", 0); len(got) != 0 {
		t.Errorf("a canceled append left records: %+v", got)
	}
}

// Data is kept as compact JSON, byte for byte the same in every backend;
// characters an HTML-safe encoder would escape come back as they went in.
func testRecordsData(t *testing.T, s *store, _ int) {
	in := json.RawMessage("{ \"reason\": \"p95 > 2s & rising <fast>\",\n  \"n\": [1, 2] }")
	got := s.append(journal.Record{Kind: journal.RecordDecision, At: at(0), Data: in})
	const want = `{"reason":"p95 > 2s & rising <fast>","n":[1,2]}`
	if string(got.Data) != want {
		t.Errorf("Append returned data %s, want %s", got.Data, want)
	}
	// Neither the caller's copy nor the returned one is the journal's.
	in[3], got.Data[2] = 'X', 'Y'
	listed := s.records("", 0)
	if len(listed) != 1 || string(listed[0].Data) != want {
		t.Fatalf("Records = %+v, want one record with data %s", listed, want)
	}
	listed[0].Data[2] = 'Z'
	s.reopen()
	if again := s.records(journal.RecordDecision, 0); len(again) != 1 || string(again[0].Data) != want {
		t.Errorf("after reopen Records = %+v, want one record with data %s", again, want)
	}
	none := s.append(journal.Record{Kind: journal.RecordHold, At: at(1), Summary: "no data"})
	if none.Data != nil {
		t.Errorf("a record appended without data has data %q", none.Data)
	}
}

func testRecordsSurviveReopen(t *testing.T, s *store, _ int) {
	var before []journal.Record
	for i, k := range []journal.RecordKind{journal.RecordDecision, journal.RecordHold, journal.RecordDrill} {
		before = append(before, s.append(rec(k, i, "before")))
	}
	s.reopen()
	if d := cmp.Diff(newestFirst(before), s.records("", 0), cmpJSON); d != "" {
		t.Errorf("Records after reopen (-want +got):\n%s", d)
	}
	after := s.append(rec(journal.RecordDecision, 10, "after"))
	if after.Seq <= before[len(before)-1].Seq {
		t.Errorf("Seq after reopen is %d, not above %d from before", after.Seq, before[len(before)-1].Seq)
	}
}

// Appending beyond the bound drops the oldest of that kind only.
func testRecordsBound(t *testing.T, s *store, bound int) {
	holds := []journal.Record{s.append(rec(journal.RecordHold, 0, "on")), s.append(rec(journal.RecordHold, 1, "off"))}
	var decisions []journal.Record
	for i := range bound + 3 {
		decisions = append(decisions, s.append(rec(journal.RecordDecision, 2+i, "decide")))
	}
	got := s.records(journal.RecordDecision, 0)
	if len(got) != bound {
		t.Fatalf("Records(decision) gave %d records after %d appends, want the bound, %d", len(got), bound+3, bound)
	}
	if d := cmp.Diff(newestFirst(decisions[3:]), got, cmpJSON); d != "" {
		t.Errorf("Records(decision) keeps the wrong ones (-want +got):\n%s", d)
	}
	if d := cmp.Diff(newestFirst(holds), s.records(journal.RecordHold, 0), cmpJSON); d != "" {
		t.Errorf("holds were pruned by decisions (-want +got):\n%s", d)
	}
	if n := len(s.records("", 0)); n != bound+2 {
		t.Errorf("Records(\"\") gave %d records, want %d", n, bound+2)
	}
}

// Many appends of every kind, across a reopen: each kind holds its newest
// bound records, Seq keeps growing and never repeats.
func testRecordsManyAppends(t *testing.T, s *store, bound int) {
	kinds := []journal.RecordKind{journal.RecordDecision, journal.RecordHold, journal.RecordDrill}
	n := 3*bound + 7
	var all []journal.Record
	for i := range n {
		if i == n/2 {
			s.reopen()
		}
		all = append(all, s.append(rec(kinds[i%len(kinds)], i, "many")))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("append %d got Seq %d after %d", i, all[i].Seq, all[i-1].Seq)
		}
	}
	var kept []journal.Record // what each kind should hold, newest first
	count := map[journal.RecordKind]int{}
	for i := len(all) - 1; i >= 0; i-- {
		if r := all[i]; count[r.Kind] < bound {
			count[r.Kind]++
			kept = append(kept, r)
		}
	}
	if d := cmp.Diff(kept, s.records("", 0), cmpJSON); d != "" {
		t.Errorf("Records after %d appends (-want +got):\n%s", n, d)
	}
	s.reopen()
	last := s.append(rec(journal.RecordHold, n, "last"))
	if last.Seq <= all[len(all)-1].Seq {
		t.Errorf("Seq after reopen is %d, not above %d", last.Seq, all[len(all)-1].Seq)
	}
	if got := s.records(journal.RecordHold, 0); len(got) != bound || got[0].Seq != last.Seq {
		t.Errorf("Records(hold) after one more: %d records, newest Seq %d; want %d, newest %d", len(got), got[0].Seq, bound, last.Seq)
	}
}
