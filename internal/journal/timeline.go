package journal

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

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
	fmt.Fprintf(&b, "  started %s  (fence %d)\n", o.Started.Format(time.RFC3339), o.Fence)
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
