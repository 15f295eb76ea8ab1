package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The restore and data fields travel in the journal and the API: their
// names are part of the documents, and a report without them stays as it
// was.
func TestDrillReportRestoreAndDataJSON(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	rep := DrillReport{Name: "n", Mode: DrillRestore, Service: "www", Started: at, Finished: at, OK: true, Steps: []DrillStep{},
		DataState: "stale", DataAge: time.Minute, DataAgeKnown: true, DataNote: "behind",
		Restore: &RestoreReport{Backup: "db.dump", BackupModified: at.Add(-time.Hour), BackupAge: time.Hour, RestoreTime: 2 * time.Second,
			Database: "lifeboat_restore_01020304", Dropped: true, Swept: []string{"lifeboat_restore_1_0a0b0c0d"}, QueryRows: 3}}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"mode":"restore"`, `"data_state":"stale"`, `"data_age_ns":60000000000`, `"data_age_known":true`, `"data_note":"behind"`,
		`"restore":{"backup":"db.dump","backup_modified":"2026-12-07T03:00:00Z","backup_age_ns":3600000000000,"restore_ns":2000000000,"database":"lifeboat_restore_01020304","dropped":true,"swept":["lifeboat_restore_1_0a0b0c0d"],"query_rows":3}`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
	var back DrillReport
	if err := json.Unmarshal(js, &back); err != nil || !reflect.DeepEqual(back.Restore, rep.Restore) || back.DataAge != time.Minute {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	plain, _ := json.Marshal(DrillReport{Name: "n", Mode: DrillCanary, Started: at, Finished: at})
	if strings.Contains(string(plain), "data_") || strings.Contains(string(plain), "restore") {
		t.Errorf("a report without them: %s", plain)
	}
}

// A step's many-line error that a Problem line repeats is written once:
// the step's row keeps its first line.
func TestDrillReportTextShowsLongErrorOnce(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	long := "tofu init: exit status 1\nError: Invalid bucket value\nThe \"bucket\" attribute value must not be empty."
	rep := DrillReport{Name: "n", Mode: DrillReadiness, Service: "www", Started: at, Finished: at,
		Steps: []DrillStep{
			{Name: "plan b", Error: long},
			{Name: "standby b", Error: `same error as step "plan b"`},
			{Name: "plan c", Error: "one line\nand a second"}, // in no Problem line: shown whole
		},
		Failures: []string{"plan b: " + long, `standby b: same error as step "plan b"`}}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "must not be empty"); n != 1 {
		t.Errorf("the init error is written %d times, want once:\n%s", n, out)
	}
	for _, want := range []string{"plan b", "tofu init: exit status 1 (see below)", "Problem: plan b: tofu init", "\n    Error: Invalid bucket value\n", `Problem: standby b: same error as step "plan b"`, "and a second"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}
