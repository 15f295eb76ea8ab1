package drill

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the report for people: the outcome, every step, and
// what was left changed.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	outcome := "PASSED"
	switch {
	case r.Aborted:
		outcome = "ABORTED: " + r.AbortReason
	case !r.OK:
		outcome = "FAILED"
	}
	fmt.Fprintf(&b, "Drill %s (%s of %s", r.Name, r.Mode, r.Service)
	if r.Target != "" {
		fmt.Fprintf(&b, " toward %s", r.Target)
	}
	if r.Record != "" {
		fmt.Fprintf(&b, ", record %s", r.Record)
	}
	fmt.Fprintf(&b, "), %s, took %s: %s\n", r.Started.Local().Format(time.DateTime), r.Finished.Sub(r.Started).Round(time.Millisecond), outcome)
	for _, s := range r.Steps {
		mark, text := "ok  ", s.Detail
		if !s.OK {
			mark, text = "FAIL", s.Error
		}
		fmt.Fprintf(&b, "  %s %-36s %8s  %s\n", mark, s.Name, s.Took.Round(time.Millisecond), text)
	}
	if r.RecoveryTime > 0 {
		fmt.Fprintf(&b, "  Recovery time: %s\n", r.RecoveryTime.Round(time.Millisecond))
	}
	if len(r.Operations) > 0 {
		fmt.Fprintf(&b, "  Operations: %s (`lifeboat history` shows their timelines)\n", strings.Join(r.Operations, ", "))
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  Problem: %s\n", f)
	}
	if len(r.LeftChanged) == 0 {
		b.WriteString("  Left changed: nothing\n")
	}
	for _, l := range r.LeftChanged {
		fmt.Fprintf(&b, "  Left changed: %s\n", l)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
