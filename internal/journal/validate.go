package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The argument checks every backend makes, so Bolt and Memory refuse the
// same calls with the same errors.

func validateBegin(op Operation) error {
	if op.Kind == "" {
		return fmt.Errorf("begin: %w: kind is empty", ErrInvalid)
	}
	if op.Started.IsZero() {
		return fmt.Errorf("begin: %w: start time is zero", ErrInvalid)
	}
	return nil
}

func validateStepStarted(stepID string, at time.Time) error {
	if stepID == "" || at.IsZero() {
		return fmt.Errorf("step started: %w: empty step ID or zero time", ErrInvalid)
	}
	return nil
}

func validateStepFinished(stepID string, res StepResult) error {
	switch {
	case stepID == "" || res.At.IsZero():
		return fmt.Errorf("step finished: %w: empty step ID or zero time", ErrInvalid)
	case res.Status != StepOK && res.Status != StepFailed && res.Status != StepSkipped && res.Status != StepInterrupted:
		return fmt.Errorf("step finished: %w: status %q is not a result", ErrInvalid, res.Status)
	}
	return nil
}

func validateFinish(status Status, at time.Time) error {
	if !status.Terminal() {
		return fmt.Errorf("finish: %w: status %q does not end an operation", ErrInvalid, status)
	}
	if at.IsZero() {
		return fmt.Errorf("finish: %w: zero time", ErrInvalid)
	}
	return nil
}

func validatePlacement(service, provider string, at time.Time) error {
	if service == "" || provider == "" || at.IsZero() {
		return fmt.Errorf("set placement: %w: empty service or provider, or zero time", ErrInvalid)
	}
	return nil
}

// checkFence says whether a writer holding ref may write to the operation
// whose current state is rec. The fence comes first: a writer that was
// replaced should learn that, even if its replacement has since finished
// the operation.
func checkFence(ref Ref, fence uint64, status Status) error {
	if fence != ref.Fence {
		return fmt.Errorf("%w (holds %d, current %d)", ErrFenced, ref.Fence, fence)
	}
	if status.Terminal() {
		return ErrFinished
	}
	return nil
}

// errRunning is Begin's refusal, naming the unfinished operation in the way.
func errRunning(running Operation) error {
	return fmt.Errorf("%w: %s %s %s (started %s)", ErrOperationRunning, running.ID, running.Kind, strings.Join(running.Services, ","), running.Started.Format(time.RFC3339))
}

// validateRecord checks a record for Append and returns it as it is kept:
// Data compacted (so every backend returns the same bytes), Seq cleared
// for the journal to assign.
func validateRecord(r Record) (Record, error) {
	switch {
	case r.Kind == "" || len(r.Kind) > maxRecordKindLen:
		return Record{}, fmt.Errorf("append: %w: kind is empty or longer than %d bytes", ErrInvalid, maxRecordKindLen)
	case r.At.IsZero():
		return Record{}, fmt.Errorf("append %s: %w: zero time", r.Kind, ErrInvalid)
	}
	r.Seq = 0
	if len(r.Data) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, r.Data); err != nil {
			// The decoder's message may quote the data: keep it out.
			return Record{}, fmt.Errorf("append %s: %w: data is not valid JSON", r.Kind, ErrInvalid)
		}
		r.Data = buf.Bytes()
	} else {
		r.Data = nil
	}
	return r, nil
}
