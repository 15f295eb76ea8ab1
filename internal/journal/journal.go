// Package journal is lifeboat's durable state: every operation (failover,
// failback, drill), each step's start, result and timing, where each service
// currently runs, and the fencing token that tells a stale writer it has been
// replaced.
//
// Journal is the interface the executor, the daemon and `lifeboat history`
// use. Bolt (a local bbolt file) is the embedded default; an etcd
// implementation for several orchestrators will satisfy the same interface
// and pass the same conformance suite (package journaltest).
//
// Times are always passed in by the caller: the journal never reads the
// clock, so tests are deterministic and a resumed run records the times the
// executor saw.
package journal

import (
	"context"
	"errors"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// Sentinel errors callers branch on (wrapped with %w; use errors.Is).
var (
	// ErrOperationRunning: Begin was called while another operation is
	// unfinished (running, or interrupted by a crash and not yet resumed or
	// finished).
	ErrOperationRunning = errors.New("another operation is unfinished")
	// ErrNotFound: no operation has that ID.
	ErrNotFound = errors.New("operation not found")
	// ErrLocked: another process holds the journal.
	ErrLocked = errors.New("the journal is in use by another lifeboat process")
	// ErrFenced: the writer's fencing token is no longer the operation's
	// current one, because another run resumed it. The stale writer must stop.
	ErrFenced = errors.New("fencing token is stale: the operation was taken over")
	// ErrFinished: the operation has already finished; it takes no more writes.
	ErrFinished = errors.New("operation already finished")
	// ErrCorrupt: the journal file is damaged (truncated, overwritten, not
	// a journal at all) or holds a record that does not decode. lifeboat
	// never repairs or reinitialises it by itself.
	ErrCorrupt = errors.New("journal is damaged")
	// ErrInvalid: the arguments are not acceptable (missing kind, a
	// non-terminal status passed to Finish, ...).
	ErrInvalid = errors.New("invalid journal request")
)

// Journal records operations and placement durably. Every write is on disk
// (or in a quorum, for etcd) before the call returns. Implementations are
// safe for concurrent use.
type Journal interface {
	// Begin records a new running operation from op's Kind, Service,
	// Services, From, To, Plan, Owner and Started (other fields are
	// ignored) and returns it with its ID and a fencing token greater than
	// every token issued before. It fails with ErrOperationRunning while an
	// unfinished operation concerns one of the same services (an operation
	// with no Services concerns them all), so one service's stuck
	// operation never holds up another's.
	Begin(ctx context.Context, op Operation) (Operation, error)
	// Unfinished returns the oldest running or interrupted operation, or nil.
	Unfinished(ctx context.Context) (*Operation, error)
	// UnfinishedAll returns every running or interrupted operation, oldest
	// first.
	UnfinishedAll(ctx context.Context) ([]Operation, error)
	// Resume takes over an unfinished operation after a crash or from
	// another orchestrator: it issues a new fencing token (so writes with
	// the old one fail with ErrFenced), marks steps left running as
	// interrupted, and records the resume time.
	Resume(ctx context.Context, id string, at time.Time) (Operation, error)

	// StepStarted records that a step began. Starting a step again (a retry,
	// or after a resume) adds a new attempt to the timeline.
	StepStarted(ctx context.Context, ref Ref, stepID string, at time.Time) error
	// StepFinished records a step's result, closing its running attempt, or
	// adding a zero-length one if the step was never started (a skip).
	StepFinished(ctx context.Context, ref Ref, stepID string, res StepResult) error
	// Finish ends the operation with a terminal status.
	Finish(ctx context.Context, ref Ref, status Status, summary string, at time.Time) error

	// Operation returns one operation with its steps, or ErrNotFound.
	Operation(ctx context.Context, id string) (Operation, error)
	// Operations returns up to limit operations (all if limit <= 0), newest
	// first, each with its steps.
	Operations(ctx context.Context, limit int) ([]Operation, error)

	// SetPlacement records that service now runs at provider, as a result
	// of the running operation ref (its token must be current).
	SetPlacement(ctx context.Context, ref Ref, service, provider string, at time.Time) error
	// Placement returns the recorded placement of every service, by name.
	// A service never moved has no entry.
	Placement(ctx context.Context) (map[string]Placement, error)

	// Append adds a record to the event log durably and returns it with
	// its Seq. ErrInvalid when Kind is empty (or longer than 64 bytes) or
	// At is zero, or Data is not valid JSON. Data comes back compacted.
	// Only the newest records of each kind are kept (10000 unless the
	// backend is told otherwise): appending drops the oldest of its kind.
	Append(ctx context.Context, r Record) (Record, error)
	// Records returns up to limit records of the kind (every kind when kind
	// is ""), newest first; all when limit <= 0.
	Records(ctx context.Context, kind RecordKind, limit int) ([]Record, error)

	Close() error
}

// The operation's documents are defined with the others the CLI, the
// socket and the API exchange.
type (
	Status        = wire.OperationStatus
	StepStatus    = wire.StepStatus
	Operation     = wire.Operation
	Ref           = wire.OperationRef
	Step          = wire.Step
	TimelineEntry = wire.TimelineEntry
	Record        = wire.Record
	RecordKind    = wire.RecordKind
)

const (
	StatusRunning   = wire.StatusRunning
	StatusSucceeded = wire.StatusSucceeded
	StatusFailed    = wire.StatusFailed
	StatusAborted   = wire.StatusAborted

	StepRunning     = wire.StepRunning
	StepOK          = wire.StepOK
	StepFailed      = wire.StepFailed
	StepSkipped     = wire.StepSkipped
	StepInterrupted = wire.StepInterrupted

	RecordDecision = wire.RecordDecision
	RecordHold     = wire.RecordHold
	RecordDrill    = wire.RecordDrill
)

// StepResult is what StepFinished records.
type StepResult struct {
	Status  StepStatus // StepOK, StepFailed, StepSkipped or StepInterrupted
	Error   string
	Outputs map[string]string
	At      time.Time
}

// Placement is where a service runs and which operation put it there.
type Placement struct {
	Service  string    `json:"service"`
	Provider string    `json:"provider"`
	OpID     string    `json:"op_id"`
	Since    time.Time `json:"since"`
}
