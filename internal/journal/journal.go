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
	"encoding/json"
	"errors"
	"time"
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

// Status is an operation's state.
type Status string

const (
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	// StatusAborted: stopped on purpose (by an operator, or abandoned after
	// a crash instead of resumed).
	StatusAborted Status = "aborted"
)

// Terminal reports whether s ends an operation.
func (s Status) Terminal() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusAborted
}

// StepStatus is the state of one attempt of a step.
type StepStatus string

const (
	StepRunning StepStatus = "running"
	StepOK      StepStatus = "ok"
	StepFailed  StepStatus = "failed"
	StepSkipped StepStatus = "skipped"
	// StepInterrupted: the process running the attempt died (or the
	// operation was finished) before the attempt reported a result.
	StepInterrupted StepStatus = "interrupted"
)

// Operation is one failover, failback or drill with its timeline.
type Operation struct {
	// ID is assigned by Begin. IDs sort in the order operations began;
	// callers otherwise treat them as opaque.
	ID string `json:"id"`
	// Kind is the executor's name for what is done: "failover", "drill", ...
	Kind    string `json:"kind"`
	Service string `json:"service,omitempty"`
	// Services are the services the operation moves; empty means it may
	// concern any service.
	Services []string `json:"services,omitempty"`
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	// Plan is the planner's output as JSON, kept so a resumed run executes
	// the same plan and history shows why.
	Plan json.RawMessage `json:"plan,omitempty"`
	// Owner says who runs the operation (e.g. "host:pid"); informational.
	Owner  string `json:"owner,omitempty"`
	Status Status `json:"status"`
	// Fence is the fencing token of the current writer: it grows with every
	// Begin and Resume across the whole journal and never repeats.
	Fence    uint64      `json:"fence"`
	Started  time.Time   `json:"started"`
	Finished time.Time   `json:"finished,omitzero"`
	Resumed  []time.Time `json:"resumed,omitempty"`
	Summary  string      `json:"summary,omitempty"`
	// Steps is the timeline: one entry per attempt, in the order they began.
	Steps []Step `json:"steps,omitempty"`
}

// Ref identifies an operation and the fencing token its writer holds.
type Ref struct {
	ID    string
	Fence uint64
}

// Ref returns the reference a writer of o passes to the journal.
func (o Operation) Ref() Ref { return Ref{ID: o.ID, Fence: o.Fence} }

// Step is one attempt of one step.
type Step struct {
	ID string `json:"id"`
	// Attempt counts the starts of this step within the operation, from 1.
	Attempt  int        `json:"attempt"`
	Status   StepStatus `json:"status"`
	Started  time.Time  `json:"started"`
	Finished time.Time  `json:"finished,omitzero"`
	Error    string     `json:"error,omitempty"`
	// Outputs are what the step learned that later steps (or a resumed run)
	// need, such as addresses read from Terraform. Structured values may be
	// stored as JSON text.
	Outputs map[string]string `json:"outputs,omitempty"`
}

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

// Step returns the latest attempt of the step with that ID.
func (o Operation) Step(id string) (Step, bool) {
	for i := len(o.Steps) - 1; i >= 0; i-- {
		if o.Steps[i].ID == id {
			return o.Steps[i], true
		}
	}
	return Step{}, false
}

// Done reports whether the step's latest attempt completed (ok or skipped),
// so a resumed run can move past it.
func (o Operation) Done(stepID string) bool {
	s, ok := o.Step(stepID)
	return ok && (s.Status == StepOK || s.Status == StepSkipped)
}

// Outputs returns the outputs of the step's latest attempt, or nil.
func (o Operation) Outputs(stepID string) map[string]string {
	s, _ := o.Step(stepID)
	return s.Outputs
}

// Overlaps reports whether two operations concern a common service; one
// that names no services concerns them all.
func (o Operation) Overlaps(other Operation) bool {
	if len(o.Services) == 0 || len(other.Services) == 0 {
		return true
	}
	for _, a := range o.Services {
		for _, b := range other.Services {
			if a == b {
				return true
			}
		}
	}
	return false
}
