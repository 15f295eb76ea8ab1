package wire

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// DrillMode is how much a drill really changes.
type DrillMode string

const (
	DrillReadiness DrillMode = "readiness"
	DrillCanary    DrillMode = "canary"
	DrillFull      DrillMode = "full"
	// DrillRestore restores the newest backup into a scratch database.
	DrillRestore DrillMode = "restore"
)

// DrillReport is what one drill did. It is journaled whatever the outcome.
type DrillReport struct {
	Name     string      `json:"name"`
	Mode     DrillMode   `json:"mode"`
	Service  string      `json:"service"`
	Target   string      `json:"target,omitempty"`
	Record   string      `json:"record,omitempty"`
	Started  time.Time   `json:"started"`
	Finished time.Time   `json:"finished"`
	OK       bool        `json:"ok"`
	Steps    []DrillStep `json:"steps"`
	// RecoveryTime is, for a canary, the time from the start of the
	// standby's apply to the drill record verified at the authoritative
	// servers; for a full drill, the failover operation's start to DNS
	// verified.
	RecoveryTime time.Duration `json:"recovery_ns,omitempty"`
	Failures     []string      `json:"failures,omitempty"`
	// LeftChanged lists what the drill left changed; empty when it
	// restored everything.
	LeftChanged []string `json:"left_changed,omitempty"`
	// Operations are the journal operations the drill ran.
	Operations  []string `json:"operations,omitempty"`
	Aborted     bool     `json:"aborted,omitempty"`
	AbortReason string   `json:"abort_reason,omitempty"`
}

// DrillStep is one thing a drill did.
type DrillStep struct {
	Name    string        `json:"name"`
	Started time.Time     `json:"started"`
	Took    time.Duration `json:"took_ns"`
	OK      bool          `json:"ok"`
	Error   string        `json:"error,omitempty"`
	Detail  string        `json:"detail,omitempty"`
}

// Summary is the report in one line, for the journal and notifications.
func (r DrillReport) Summary() string {
	switch {
	case r.Aborted:
		return fmt.Sprintf("%s drill %q of %s aborted: %s", r.Mode, r.Name, r.Service, r.AbortReason)
	case r.OK:
		return fmt.Sprintf("%s drill %q of %s passed", r.Mode, r.Name, r.Service)
	}
	return fmt.Sprintf("%s drill %q of %s failed: %d problem(s)", r.Mode, r.Name, r.Service, len(r.Failures))
}

// WriteText writes the report for people: the outcome, every step, and
// what was left changed.
func (r DrillReport) WriteText(w io.Writer) error {
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
