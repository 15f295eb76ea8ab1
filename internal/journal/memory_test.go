package journal_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/journal/journaltest"
)

// With the default bound on the event log, which the bound cases then
// exercise in full.
func TestMemoryConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) func() (journal.Journal, error) {
		m := journal.NewMemory()
		return func() (journal.Journal, error) { return m.Reopen(), nil }
	})
}

// With a small bound, as the Bolt suite runs.
func TestMemoryConformanceSmallBound(t *testing.T) {
	journaltest.RunWith(t, journaltest.Options{RecordsPerKind: 3}, func(t *testing.T) func() (journal.Journal, error) {
		m := journal.NewMemoryWith(journal.MemoryOptions{MaxRecordsPerKind: 3})
		return func() (journal.Journal, error) { return m.Reopen(), nil }
	})
}

// A closed handle refuses every call, as a closed file does; another handle
// on the same journal still works.
func TestMemoryClosedHandle(t *testing.T) {
	ctx := context.Background()
	m := journal.NewMemory()
	op, err := m.Begin(ctx, journal.Operation{Kind: "manual", Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Operations(ctx, 0); !errors.Is(err, journal.ErrInvalid) {
		t.Fatalf("Operations after Close: %v, want ErrInvalid", err)
	}
	if err := m.StepStarted(ctx, op.Ref(), "x", t0); !errors.Is(err, journal.ErrInvalid) {
		t.Fatalf("StepStarted after Close: %v, want ErrInvalid", err)
	}
	again := m.Reopen()
	defer again.Close()
	if err := again.Finish(ctx, op.Ref(), journal.StatusSucceeded, "", t0.Add(time.Second)); err != nil {
		t.Fatalf("Finish through a new handle: %v", err)
	}
}

// Writers on two operations and readers listing them run at once, through
// two handles on the same journal: the race detector checks that what the
// readers hold is never the journal's own state, and the end state must
// hold every write.
func TestMemoryConcurrentWritersAndReaders(t *testing.T) {
	ctx := context.Background()
	m := journal.NewMemory()
	defer m.Close()
	other := m.Reopen()
	defer other.Close()
	const steps = 50

	ops := make([]journal.Operation, 2)
	for i, svc := range []string{"www", "api"} {
		op, err := m.Begin(ctx, journal.Operation{Kind: "failover", Services: []string{svc}, Started: t0})
		if err != nil {
			t.Fatal(err)
		}
		ops[i] = op
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i, op := range ops {
		j := []journal.Journal{m, other}[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range steps {
				id := fmt.Sprintf("step-%d", n)
				at := t0.Add(time.Duration(n) * time.Second)
				if err := j.StepStarted(ctx, op.Ref(), id, at); err != nil {
					errs <- err
					return
				}
				res := journal.StepResult{Status: journal.StepOK, Outputs: map[string]string{"n": id}, At: at}
				if err := j.StepFinished(ctx, op.Ref(), id, res); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, j := range []journal.Journal{m, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range steps {
				all, err := j.Operations(ctx, 0)
				if err != nil {
					errs <- err
					return
				}
				// Scribble on what came back: it is the reader's copy.
				for _, op := range all {
					for k := range op.Steps {
						op.Steps[k].Status = journal.StepFailed
						if op.Steps[k].Outputs != nil {
							op.Steps[k].Outputs["n"] = "scribbled"
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for _, op := range ops {
		got, err := m.Operation(ctx, op.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Steps) != steps {
			t.Fatalf("operation %s has %d steps, want %d", op.ID, len(got.Steps), steps)
		}
		for n, s := range got.Steps {
			want := fmt.Sprintf("step-%d", n)
			if s.ID != want || s.Status != journal.StepOK || s.Outputs["n"] != want {
				t.Fatalf("operation %s step %d is %s %s %v, want %s ok with n=%s", op.ID, n, s.ID, s.Status, s.Outputs, want, want)
			}
		}
	}
}
