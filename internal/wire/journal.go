package wire

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// OperationStatus is an operation's state.
type OperationStatus string

const (
	StatusRunning   OperationStatus = "running"
	StatusSucceeded OperationStatus = "succeeded"
	StatusFailed    OperationStatus = "failed"
	// StatusAborted: stopped on purpose (by an operator, or abandoned after
	// a crash instead of resumed).
	StatusAborted OperationStatus = "aborted"
)

// Terminal reports whether s ends an operation.
func (s OperationStatus) Terminal() bool {
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
	Owner  string          `json:"owner,omitempty"`
	Status OperationStatus `json:"status"`
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

// OperationRef identifies an operation and the fencing token its writer holds.
type OperationRef struct {
	ID    string
	Fence uint64
}

// Ref returns the reference a writer of o passes to the journal.
func (o Operation) Ref() OperationRef { return OperationRef{ID: o.ID, Fence: o.Fence} }

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

// TimelineEntry is one line of an operation's timeline: a step attempt, or
// the moment a run resumed the operation.
type TimelineEntry struct {
	// Step is the step ID; empty for a resume.
	Step    string
	Attempt int
	// Status is the attempt's status; empty for a resume.
	Status StepStatus
	// Offset is the time since the operation started.
	Offset time.Duration
	// Duration is how long the attempt took; 0 while it runs or when it was
	// interrupted (its end is unknown).
	Duration time.Duration
	Error    string
}

// Resumed reports whether the entry marks a resume rather than a step.
func (e TimelineEntry) Resumed() bool { return e.Step == "" }

// Timeline returns the step attempts and resumes in time order, with offsets
// from the operation's start.
func (o Operation) Timeline() []TimelineEntry {
	out := make([]TimelineEntry, 0, len(o.Steps)+len(o.Resumed))
	for _, s := range o.Steps {
		e := TimelineEntry{Step: s.ID, Attempt: s.Attempt, Status: s.Status, Offset: s.Started.Sub(o.Started), Error: s.Error}
		if !s.Finished.IsZero() {
			e.Duration = s.Finished.Sub(s.Started)
		}
		out = append(out, e)
	}
	for _, r := range o.Resumed {
		out = append(out, TimelineEntry{Offset: r.Sub(o.Started)})
	}
	// Stable: steps keep their recorded order when times tie; a resume sorts
	// before the attempts it started at the same instant.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Offset != out[j].Offset {
			return out[i].Offset < out[j].Offset
		}
		return out[i].Resumed() && !out[j].Resumed()
	})
	return out
}

// Duration is how long the operation took, or 0 while it is unfinished.
func (o Operation) Duration() time.Duration {
	if o.Finished.IsZero() {
		return 0
	}
	return o.Finished.Sub(o.Started)
}

// WriteText writes the operation for people: a heading line, then one line
// per timeline entry with its offset from the start and its duration.
//
//	00000003 failover www aws -> hetzner  succeeded in 5m20s  started 2026-01-10T09:00:00Z  (fence 4)
//	  +0s            412ms  ok           prepare
//	  +412ms          1.6s  failed       apply: exit status 1
//	  +2s            10.7s  ok           apply (attempt 2)
//	  +12.7s             -  interrupted  read-outputs
//	  +5m3s                 resumed
func (o Operation) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", o.ID, o.Kind)
	if o.Service != "" {
		fmt.Fprintf(&b, " %s", o.Service)
	}
	if o.From != "" || o.To != "" {
		fmt.Fprintf(&b, " %s -> %s", orDash(o.From), orDash(o.To))
	}
	fmt.Fprintf(&b, "  %s", o.Status)
	if d := o.Duration(); d > 0 {
		fmt.Fprintf(&b, " in %s", roundDuration(d))
	}
	// Local time.DateTime, as every other time the CLI prints as text.
	fmt.Fprintf(&b, "  started %s  (fence %d)\n", o.Started.Local().Format(time.DateTime), o.Fence)
	for _, e := range o.Timeline() {
		off := "+" + roundDuration(e.Offset).String()
		if e.Resumed() {
			fmt.Fprintf(&b, "  %-11s %8s  resumed\n", off, "")
			continue
		}
		dur := "-"
		if e.Duration > 0 || e.Status == StepOK || e.Status == StepSkipped || e.Status == StepFailed {
			dur = roundDuration(e.Duration).String()
		}
		name := e.Step
		if e.Attempt > 1 {
			name = fmt.Sprintf("%s (attempt %d)", e.Step, e.Attempt)
		}
		fmt.Fprintf(&b, "  %-11s %8s  %-11s  %s", off, dur, e.Status, name)
		if e.Error != "" {
			fmt.Fprintf(&b, ": %s", oneLine(e.Error, 200))
		}
		b.WriteByte('\n')
	}
	if o.Summary != "" {
		fmt.Fprintf(&b, "  %s\n", o.Summary)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps an error (Terraform's run over many lines) to one line of at
// most max runes; the full text stays in the journal.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// roundDuration keeps three significant-ish digits: 412ms, 12.3s, 5m3s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Second)
	}
}

// RecordKind says what a Record is.
type RecordKind string

const (
	RecordDecision RecordKind = "decision" // the daemon acted, or held back, and why
	RecordHold     RecordKind = "hold"     // the hold switch was turned on or off
	RecordDrill    RecordKind = "drill"    // a drill's report
)

// Record is one entry of the journal's event log.
type Record struct {
	Seq     uint64          `json:"seq"` // assigned by Append; increases with every record, never repeats
	Kind    RecordKind      `json:"kind"`
	At      time.Time       `json:"at"`
	Service string          `json:"service,omitempty"`
	OpID    string          `json:"op_id,omitempty"`
	Summary string          `json:"summary"`
	Data    json.RawMessage `json:"data,omitempty"` // kind-specific JSON document
}
