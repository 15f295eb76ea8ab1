package journal

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Memory is a Journal held in memory, for tests and single-process tools
// (the executor's tests): it behaves like Bolt and passes the
// same conformance suite, but it is not durable: nothing survives the
// process, and it takes no lock another process could see, so it must
// never stand in for the journal of a daemon.
//
// Reopen returns a new handle on the same data, which is how a test plays
// a restart. Values passed in and returned are copies, as they would be
// through a file: changing them never changes the journal.
type Memory struct {
	data *memData

	mu     sync.Mutex
	closed bool
}

// memData is the state every handle of one Memory journal shares.
type memData struct {
	mu         sync.Mutex
	seq, fence uint64
	ops        map[uint64]*Operation // by sequence number
	placement  map[string]Placement
	log        memLog
}

var _ Journal = (*Memory)(nil)

// MemoryOptions tune NewMemoryWith.
type MemoryOptions struct {
	// MaxRecordsPerKind is how many records of each kind the event log
	// keeps, as BoltOptions.MaxRecordsPerKind.
	MaxRecordsPerKind int
}

// NewMemory returns an empty in-memory journal.
func NewMemory() *Memory { return NewMemoryWith(MemoryOptions{}) }

// NewMemoryWith returns an empty in-memory journal tuned by opts.
func NewMemoryWith(opts MemoryOptions) *Memory {
	max := opts.MaxRecordsPerKind
	if max <= 0 {
		max = DefaultMaxRecordsPerKind
	}
	return &Memory{data: &memData{
		ops: map[uint64]*Operation{}, placement: map[string]Placement{},
		log: memLog{max: max, byKind: map[RecordKind][]Record{}},
	}}
}

// Reopen returns a new handle on the same journal, as if the process had
// restarted and opened it again. The receiver stays as it is (open or not).
func (m *Memory) Reopen() *Memory { return &Memory{data: m.data} }

// Close ends this handle; later calls through it fail. Closing twice is
// harmless.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// with runs fn holding the journal's lock, after the checks every call
// makes (context, closed handle).
func (m *Memory) with(ctx context.Context, fn func(d *memData) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return fmt.Errorf("%w: the journal is closed", ErrInvalid)
	}
	m.data.mu.Lock()
	defer m.data.mu.Unlock()
	return fn(m.data)
}

// Begin implements Journal.
func (m *Memory) Begin(ctx context.Context, op Operation) (Operation, error) {
	if err := validateBegin(op); err != nil {
		return Operation{}, err
	}
	var out Operation
	err := m.with(ctx, func(d *memData) error {
		for _, running := range d.unfinished() {
			if running.Overlaps(op) {
				return errRunning(*running)
			}
		}
		d.seq++
		d.fence++
		rec := Operation{
			ID: formatID(d.seq), Kind: op.Kind, Service: op.Service, Services: op.Services, From: op.From, To: op.To,
			Plan: op.Plan, Owner: op.Owner, Status: StatusRunning, Fence: d.fence, Started: op.Started,
		}
		kept := cloneOp(rec)
		d.ops[d.seq] = &kept
		out = cloneOp(rec)
		return nil
	})
	if err != nil {
		return Operation{}, fmt.Errorf("begin %s: %w", op.Kind, err)
	}
	return out, nil
}

// Unfinished implements Journal.
func (m *Memory) Unfinished(ctx context.Context) (*Operation, error) {
	all, err := m.UnfinishedAll(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// UnfinishedAll implements Journal.
func (m *Memory) UnfinishedAll(ctx context.Context) ([]Operation, error) {
	var out []Operation
	err := m.with(ctx, func(d *memData) error {
		for _, op := range d.unfinished() {
			out = append(out, cloneOp(*op))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unfinished operations: %w", err)
	}
	return out, nil
}

// Resume implements Journal.
func (m *Memory) Resume(ctx context.Context, id string, at time.Time) (Operation, error) {
	var out Operation
	err := m.with(ctx, func(d *memData) error {
		op, err := d.lookup(id)
		if err != nil {
			return err
		}
		if op.Status.Terminal() {
			return ErrFinished
		}
		d.fence++
		op.Fence = d.fence
		op.Resumed = append(op.Resumed, at)
		interruptSteps(op)
		out = cloneOp(*op)
		return nil
	})
	if err != nil {
		return Operation{}, fmt.Errorf("resume %s: %w", id, err)
	}
	return out, nil
}

// StepStarted implements Journal.
func (m *Memory) StepStarted(ctx context.Context, ref Ref, stepID string, at time.Time) error {
	if err := validateStepStarted(stepID, at); err != nil {
		return err
	}
	err := m.with(ctx, func(d *memData) error {
		op, err := d.writable(ref)
		if err != nil {
			return err
		}
		attempts := 0
		for i := range op.Steps {
			if s := &op.Steps[i]; s.ID == stepID {
				attempts++
				// The previous attempt will never report.
				if s.Status == StepRunning {
					s.Status = StepInterrupted
				}
			}
		}
		op.Steps = append(op.Steps, Step{ID: stepID, Attempt: attempts + 1, Status: StepRunning, Started: at})
		return nil
	})
	if err != nil {
		return fmt.Errorf("step %s started (operation %s): %w", stepID, ref.ID, err)
	}
	return nil
}

// StepFinished implements Journal.
func (m *Memory) StepFinished(ctx context.Context, ref Ref, stepID string, res StepResult) error {
	if err := validateStepFinished(stepID, res); err != nil {
		return err
	}
	err := m.with(ctx, func(d *memData) error {
		op, err := d.writable(ref)
		if err != nil {
			return err
		}
		last, attempts := -1, 0
		for i := range op.Steps {
			if op.Steps[i].ID == stepID {
				last = i
				attempts++
			}
		}
		outputs := maps.Clone(res.Outputs)
		if last >= 0 && op.Steps[last].Status == StepRunning {
			s := &op.Steps[last]
			s.Status, s.Finished, s.Error, s.Outputs = res.Status, res.At, res.Error, outputs
			return nil
		}
		op.Steps = append(op.Steps, Step{
			ID: stepID, Attempt: attempts + 1, Status: res.Status,
			Started: res.At, Finished: res.At, Error: res.Error, Outputs: outputs,
		})
		return nil
	})
	if err != nil {
		return fmt.Errorf("step %s finished (operation %s): %w", stepID, ref.ID, err)
	}
	return nil
}

// Finish implements Journal.
func (m *Memory) Finish(ctx context.Context, ref Ref, status Status, summary string, at time.Time) error {
	if err := validateFinish(status, at); err != nil {
		return err
	}
	err := m.with(ctx, func(d *memData) error {
		op, err := d.writable(ref)
		if err != nil {
			return err
		}
		interruptSteps(op)
		op.Status, op.Summary, op.Finished = status, summary, at
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish operation %s: %w", ref.ID, err)
	}
	return nil
}

// Operation implements Journal.
func (m *Memory) Operation(ctx context.Context, id string) (Operation, error) {
	var out Operation
	err := m.with(ctx, func(d *memData) error {
		op, err := d.lookup(id)
		if err != nil {
			return err
		}
		out = cloneOp(*op)
		return nil
	})
	if err != nil {
		return Operation{}, fmt.Errorf("operation %s: %w", id, err)
	}
	return out, nil
}

// Operations implements Journal.
func (m *Memory) Operations(ctx context.Context, limit int) ([]Operation, error) {
	var out []Operation
	err := m.with(ctx, func(d *memData) error {
		keys := slices.Sorted(maps.Keys(d.ops))
		slices.Reverse(keys)
		for _, k := range keys {
			if limit > 0 && len(out) >= limit {
				break
			}
			out = append(out, cloneOp(*d.ops[k]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list operations: %w", err)
	}
	return out, nil
}

// SetPlacement implements Journal.
func (m *Memory) SetPlacement(ctx context.Context, ref Ref, service, provider string, at time.Time) error {
	if err := validatePlacement(service, provider, at); err != nil {
		return err
	}
	err := m.with(ctx, func(d *memData) error {
		if _, err := d.writable(ref); err != nil {
			return err
		}
		d.placement[service] = Placement{Service: service, Provider: provider, OpID: ref.ID, Since: at}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set placement of %s: %w", service, err)
	}
	return nil
}

// Placement implements Journal.
func (m *Memory) Placement(ctx context.Context) (map[string]Placement, error) {
	var out map[string]Placement
	err := m.with(ctx, func(d *memData) error {
		out = maps.Clone(d.placement)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("placement: %w", err)
	}
	return out, nil
}

// lookup finds an operation by ID, parsed as Bolt parses it.
func (d *memData) lookup(id string) (*Operation, error) {
	key, err := parseID(id)
	if err != nil {
		return nil, err
	}
	op := d.ops[binary.BigEndian.Uint64(key)]
	if op == nil {
		return nil, ErrNotFound
	}
	return op, nil
}

func (d *memData) writable(ref Ref) (*Operation, error) {
	op, err := d.lookup(ref.ID)
	if err != nil {
		return nil, err
	}
	if err := checkFence(ref, op.Fence, op.Status); err != nil {
		return nil, err
	}
	return op, nil
}

// unfinished lists the unfinished operations, oldest first.
func (d *memData) unfinished() []*Operation {
	var out []*Operation
	for _, k := range slices.Sorted(maps.Keys(d.ops)) {
		if op := d.ops[k]; !op.Status.Terminal() {
			out = append(out, op)
		}
	}
	return out
}

func interruptSteps(op *Operation) {
	for i := range op.Steps {
		if op.Steps[i].Status == StepRunning {
			op.Steps[i].Status = StepInterrupted
		}
	}
}

// cloneOp copies everything an Operation refers to, so neither the caller
// nor the journal sees the other's later changes.
func cloneOp(op Operation) Operation {
	op.Services = slices.Clone(op.Services)
	op.Plan = slices.Clone(op.Plan)
	op.Resumed = slices.Clone(op.Resumed)
	op.Steps = slices.Clone(op.Steps)
	for i := range op.Steps {
		op.Steps[i].Outputs = maps.Clone(op.Steps[i].Outputs)
	}
	return op
}
