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
