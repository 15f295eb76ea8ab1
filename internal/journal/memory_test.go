package journal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/journal/journaltest"
)

func TestMemoryConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) func() (journal.Journal, error) {
		m := journal.NewMemory()
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
