package executor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// A step stopped from outside (its context cancelled: a signal, the
// daemon shutting down) is journaled as interrupted, as the operator
// guide says, not as failed; a step that fails by itself stays failed. Either way the
// operation stays unfinished and the step runs again on resume.
func TestStepStatusInterruptedOrFailed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cancel bool
		want   journal.StepStatus
	}{
		{name: "cancelled", cancel: true, want: journal.StepInterrupted},
		{name: "failed by itself", cancel: false, want: journal.StepFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			key := "www/bravo/apply"
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				w.blockOn["bravo/apply"] = true
				go func() {
					// Cancel once the apply is under way.
					for range 500 {
						if w.count("bravo/apply") > 0 {
							break
						}
						time.Sleep(5 * time.Millisecond)
					}
					cancel()
				}()
			} else {
				w.failOn["bravo/apply"] = errors.New("apply: quota exceeded")
				w.failOn["charlie/apply"] = errors.New("apply: quota exceeded")
			}
			_, err := w.executor(nil).Start(ctx, w.plan(), "automatic")
			if err == nil {
				t.Fatal("the operation succeeded; want it stopped at the apply")
			}
			var op journal.Operation
			if tc.cancel {
				op = w.unfinished()
			} else {
				ops, jerr := w.journal.Operations(context.Background(), 1)
				if jerr != nil || len(ops) != 1 {
					t.Fatalf("operations: %v %v", ops, jerr)
				}
				op = ops[0]
			}
			if got := attempts(op, key); !slices.Equal(got, []journal.StepStatus{tc.want}) {
				t.Fatalf("%s has attempts %v, want [%s]", key, got, tc.want)
			}
		})
	}
}
