package executor

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// The rule for breaking a state lock: only the lock this very step's
// previous attempt took, that attempt cut short and the operation taken
// over since.
func TestDeadHolder(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	const step = "www/bravo/apply"
	attempt := func(n int, st journal.StepStatus, at time.Time) journal.Step {
		return journal.Step{ID: step, Attempt: n, Status: st, Started: at}
	}
	taken := journal.Operation{ID: "1", Resumed: []time.Time{t0.Add(time.Minute)}, Steps: []journal.Step{
		{ID: "www/bravo/prepare", Attempt: 1, Status: journal.StepOK, Started: t0.Add(-time.Second)},
		attempt(1, journal.StepInterrupted, t0),
		attempt(2, journal.StepRunning, t0.Add(time.Minute)),
	}}
	lock := terraform.StateLock{ID: "L", Operation: "OperationTypeApply", Who: "root@dead", Created: t0.Add(300 * time.Millisecond)}
	with := func(f func(op *journal.Operation, l *terraform.StateLock)) (journal.Operation, terraform.StateLock) {
		op := taken
		op.Steps = append([]journal.Step(nil), taken.Steps...)
		l := lock
		f(&op, &l)
		return op, l
	}
	for _, tc := range []struct {
		name string
		f    func(op *journal.Operation, l *terraform.StateLock)
		dead bool
	}{
		{"taken by the interrupted attempt", func(*journal.Operation, *terraform.StateLock) {}, true},
		{"the dead node's clock a little behind", func(_ *journal.Operation, l *terraform.StateLock) { l.Created = t0.Add(-time.Second) }, true},
		{"taken before the attempt began", func(_ *journal.Operation, l *terraform.StateLock) { l.Created = t0.Add(-time.Hour) }, false},
		{"taken after this attempt began", func(_ *journal.Operation, l *terraform.StateLock) { l.Created = t0.Add(2 * time.Minute) }, false},
		{"a plan's lock", func(_ *journal.Operation, l *terraform.StateLock) { l.Operation = "OperationTypePlan" }, false},
		{"the earlier attempt failed, it was not cut short", func(op *journal.Operation, _ *terraform.StateLock) { op.Steps[1].Status = journal.StepFailed }, false},
		{"never taken over", func(op *journal.Operation, _ *terraform.StateLock) { op.Resumed = nil }, false},
		{"the first attempt", func(op *journal.Operation, _ *terraform.StateLock) {
			op.Steps = []journal.Step{attempt(1, journal.StepRunning, t0)}
		}, false},
		{"another step's attempt was interrupted", func(op *journal.Operation, _ *terraform.StateLock) { op.Steps[1].ID = "www/charlie/apply" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, l := with(tc.f)
			_, why, dead := deadHolder(op, step, l)
			if dead != tc.dead {
				t.Fatalf("dead = %v (%s), want %v", dead, why, tc.dead)
			}
			if !dead && why == "" {
				t.Error("a lock left alone without saying why")
			}
		})
	}
}
