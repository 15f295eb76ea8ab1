package wire

import (
	"encoding/json"
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
			Database: "lifeboat_restore_01020304", Dropped: true, QueryRows: 3}}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"mode":"restore"`, `"data_state":"stale"`, `"data_age_ns":60000000000`, `"data_age_known":true`, `"data_note":"behind"`,
		`"restore":{"backup":"db.dump","backup_modified":"2026-12-07T03:00:00Z","backup_age_ns":3600000000000,"restore_ns":2000000000,"database":"lifeboat_restore_01020304","dropped":true,"query_rows":3}`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
	var back DrillReport
	if err := json.Unmarshal(js, &back); err != nil || *back.Restore != *rep.Restore || back.DataAge != time.Minute {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	plain, _ := json.Marshal(DrillReport{Name: "n", Mode: DrillCanary, Started: at, Finished: at})
	if strings.Contains(string(plain), "data_") || strings.Contains(string(plain), "restore") {
		t.Errorf("a report without them: %s", plain)
	}
}
