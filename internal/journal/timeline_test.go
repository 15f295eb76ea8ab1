package journal

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteText(t *testing.T) {
	// Times are shown in local time: make it UTC for the test.
	local := time.Local
	time.Local = time.UTC
	defer func() { time.Local = local }()
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	ms := time.Millisecond
	op := Operation{
		ID: "00000003", Kind: "failover", Service: "www", From: "aws", To: "hetzner",
		Status: StatusSucceeded, Fence: 4, Started: t0, Finished: at(5*time.Minute + 20*time.Second),
		Resumed: []time.Time{at(5*time.Minute + 3*time.Second)},
		Summary: "www now served from hetzner",
		Steps: []Step{
			{ID: "prepare", Attempt: 1, Status: StepOK, Started: t0, Finished: at(412 * ms)},
			{ID: "apply", Attempt: 1, Status: StepFailed, Started: at(412 * ms), Finished: at(2 * time.Second), Error: "exit status 1\n\n  Error: quota exceeded\n"},
			{ID: "apply", Attempt: 2, Status: StepOK, Started: at(2 * time.Second), Finished: at(12712 * ms)},
			{ID: "read-outputs", Attempt: 1, Status: StepInterrupted, Started: at(12712 * ms)},
			{ID: "read-outputs", Attempt: 2, Status: StepOK, Started: at(5*time.Minute + 3*time.Second), Finished: at(5*time.Minute + 3*time.Second + 80*ms)},
			{ID: "notify", Attempt: 1, Status: StepSkipped, Started: at(5*time.Minute + 4*time.Second), Finished: at(5*time.Minute + 4*time.Second)},
		},
	}
	var b strings.Builder
	if err := op.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `00000003 failover www aws -> hetzner  succeeded in 5m20s  started 2026-01-10 09:00:00  (fence 4)
  +0s            412ms  ok           prepare
  +412ms          1.6s  failed       apply: exit status 1 Error: quota exceeded
  +2s            10.7s  ok           apply (attempt 2)
  +12.7s             -  interrupted  read-outputs
  +5m3s                 resumed
  +5m3s           80ms  ok           read-outputs (attempt 2)
  +5m4s             0s  skipped      notify
  www now served from hetzner
`
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("WriteText (-want +got):\n%s", d)
	}

	running := Operation{ID: "00000004", Kind: "drill", Status: StatusRunning, Fence: 5, Started: t0,
		Steps: []Step{{ID: "check", Attempt: 1, Status: StepRunning, Started: at(time.Second)}}}
	b.Reset()
	if err := running.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want = `00000004 drill  running  started 2026-01-10 09:00:00  (fence 5)
  +1s                -  running      check
`
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("WriteText of a running operation (-want +got):\n%s", d)
	}
}
