package drill

import (
	"strings"
	"testing"
	"time"
)

func TestWriteText(t *testing.T) {
	at := time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)
	rep := Report{Name: "weekly", Mode: ModeCanary, Service: "www", Target: "bravo", Record: "drill-www",
		Started: at, Finished: at.Add(9 * time.Second), Aborted: true, AbortReason: "provider alpha lost",
		Steps: []Step{
			{Name: "www/bravo/drill-apply", Took: 4 * time.Second, OK: true, Detail: "applied"},
			{Name: "www/bravo/drill-verify-record", Took: time.Second, Error: "context canceled"},
		},
		Operations: []string{"op-7"}, LeftChanged: []string{"bravo left as the drill's apply made it"}}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Drill weekly (canary of www toward bravo, record drill-www)", "ABORTED: provider alpha lost",
		"ok   www/bravo/drill-apply", "FAIL www/bravo/drill-verify-record", "context canceled", "Operations: op-7",
		"Left changed: bravo left as"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	rep.Aborted, rep.OK, rep.LeftChanged = false, true, nil
	b.Reset()
	_ = rep.WriteText(&b)
	if !strings.Contains(b.String(), "PASSED") || !strings.Contains(b.String(), "Left changed: nothing") {
		t.Errorf("passed report:\n%s", b.String())
	}
}

func TestWriteTextRestoreAndStaleData(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	rep := Report{Name: "nightly", Mode: ModeRestore, Service: "www", Target: "bravo", Started: at, Finished: at.Add(12 * time.Second), OK: true,
		Steps: []Step{{Name: "www/bravo/restore-restore", Took: 9 * time.Second, OK: true, Detail: "pg_restore restored db.dump in 9s"}},
		Restore: &RestoreReport{BackupBlock: "s3", Backup: "db.dump", BackupAge: 26 * time.Hour, BackupSize: 4096,
			RestoreTime: 9 * time.Second, Database: "lifeboat_restore_0a1b2c3d", Dropped: true, QueryRows: 3},
		DataState: "stale", DataAge: 10 * time.Minute, DataAgeKnown: true, DataNote: "replay paused"}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Drill nightly (restore of www toward bravo)", ": PASSED on stale data\n",
		"  Backup: db.dump (backup s3), 26h0m0s old, 4096 bytes\n", "  Restore time: 9s\n", "  Query: 3 row(s)\n",
		"  Scratch database: lifeboat_restore_0a1b2c3d, dropped\n",
		"  Data at the target: stale, 10m0s behind (replay paused): the drill passed on stale data\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if s := rep.Summary(); s != `restore drill "nightly" of www passed on stale data` {
		t.Errorf("summary %q", s)
	}
	// Fresh data: a plain pass; a scratch database not dropped is said.
	rep.DataState, rep.DataNote, rep.Restore.Dropped = "fresh", "", false
	b.Reset()
	_ = rep.WriteText(&b)
	if strings.Contains(b.String(), "stale") || !strings.Contains(b.String(), ": PASSED\n") ||
		!strings.Contains(b.String(), "Data at the target: fresh, 10m0s behind\n") || !strings.Contains(b.String(), "lifeboat_restore_0a1b2c3d, NOT dropped") {
		t.Errorf("fresh data:\n%s", b.String())
	}
}
