package wire

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// DrillMode is how much a drill really changes.
type DrillMode string

const (
	DrillReadiness DrillMode = "readiness"
	DrillCanary    DrillMode = "canary"
	DrillFull      DrillMode = "full"
	// DrillRestore restores the newest backup into a scratch database
	// and checks it; it moves nothing.
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
	// DataState is the freshness of the service's data at the drill's
	// target when the drill began ("fresh", "stale", "unknown"); empty
	// when the service has no data blocks (nothing measured).
	DataState string `json:"data_state,omitempty"`
	// DataAge is how old the data there was; meaningful when DataAgeKnown.
	DataAge      time.Duration `json:"data_age_ns,omitempty"`
	DataAgeKnown bool          `json:"data_age_known,omitempty"`
	// DataNote is the measurement's one-line explanation.
	DataNote string `json:"data_note,omitempty"`
	// Restore is what a restore drill restored; nil for other modes.
	Restore *RestoreReport `json:"restore,omitempty"`
}

// RestoreReport is what a restore drill found of the newest backup.
type RestoreReport struct {
	// BackupBlock names the service's backup block.
	BackupBlock string `json:"backup_block,omitempty"`
	// Backup is the backup restored (its object or file name).
	Backup         string    `json:"backup,omitempty"`
	BackupModified time.Time `json:"backup_modified,omitzero"`
	// BackupAge is the drill's start minus BackupModified.
	BackupAge time.Duration `json:"backup_age_ns,omitempty"`
	// BackupSize is the bytes fetched.
	BackupSize int64 `json:"backup_size,omitempty"`
	// RestoreTime is how long pg_restore (or the command) took.
	RestoreTime time.Duration `json:"restore_ns,omitempty"`
	// Database is the scratch database restored into.
	Database string `json:"database,omitempty"`
	// Dropped: the scratch database was dropped and is gone.
	Dropped bool `json:"dropped"`
	// Swept are the scratch databases of earlier restore drills, killed
	// before their drop, that this drill dropped.
	Swept []string `json:"swept,omitempty"`
	// QueryRows is how many rows the check query returned (counted up to
	// a bound).
	QueryRows int64 `json:"query_rows,omitempty"`
}

// StaleData reports whether the drill ran while the target's data was
// stale: a pass then proves less than it seems.
func (r DrillReport) StaleData() bool { return r.DataState == "stale" }

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
	case r.OK && r.StaleData():
		return fmt.Sprintf("%s drill %q of %s passed on stale data", r.Mode, r.Name, r.Service)
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
	case r.OK && r.StaleData():
		outcome = "PASSED on stale data"
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
			// A long error (a CLI's diagnostics, many lines) that a
			// Problem line below repeats is shown there only.
			mark, text = "FAIL", s.Error
			if first, _, more := strings.Cut(text, "\n"); more && slices.ContainsFunc(r.Failures, func(f string) bool { return strings.Contains(f, s.Error) }) {
				text = first + " (see below)"
			}
		}
		fmt.Fprintf(&b, "  %s %-36s %8s  %s\n", mark, s.Name, s.Took.Round(time.Millisecond), text)
	}
	if r.RecoveryTime > 0 {
		fmt.Fprintf(&b, "  Recovery time: %s\n", r.RecoveryTime.Round(time.Millisecond))
	}
	if r.Restore != nil {
		r.Restore.writeText(&b)
	}
	if r.DataState != "" {
		fmt.Fprintf(&b, "  Data at the target: %s", r.DataState)
		if r.DataAgeKnown {
			fmt.Fprintf(&b, ", %s behind", r.DataAge.Round(time.Second))
		}
		if r.DataNote != "" {
			fmt.Fprintf(&b, " (%s)", r.DataNote)
		}
		if r.OK && r.StaleData() {
			b.WriteString(": the drill passed on stale data")
		}
		b.WriteString("\n")
	}
	if len(r.Operations) > 0 {
		fmt.Fprintf(&b, "  Operations: %s (`lifeboat history` shows their timelines)\n", strings.Join(r.Operations, ", "))
	}
	for _, f := range r.Failures {
		// A CLI's diagnostics run over lines: indent them under theirs.
		fmt.Fprintf(&b, "  Problem: %s\n", strings.ReplaceAll(f, "\n", "\n    "))
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

// writeText adds the restore's lines: the backup and its age, the
// restore time, the query, and whether the scratch database is gone.
func (rr *RestoreReport) writeText(b *strings.Builder) {
	if rr.Backup != "" {
		fmt.Fprintf(b, "  Backup: %s", rr.Backup)
		if rr.BackupBlock != "" {
			fmt.Fprintf(b, " (backup %s)", rr.BackupBlock)
		}
		fmt.Fprintf(b, ", %s old", rr.BackupAge.Round(time.Second))
		if rr.BackupSize > 0 {
			fmt.Fprintf(b, ", %d bytes", rr.BackupSize)
		}
		b.WriteString("\n")
	}
	if rr.RestoreTime > 0 {
		fmt.Fprintf(b, "  Restore time: %s\n", rr.RestoreTime.Round(time.Millisecond))
	}
	if rr.QueryRows > 0 {
		fmt.Fprintf(b, "  Query: %d row(s)\n", rr.QueryRows)
	}
	switch {
	case rr.Database == "":
	case rr.Dropped:
		fmt.Fprintf(b, "  Scratch database: %s, dropped\n", rr.Database)
	default:
		fmt.Fprintf(b, "  Scratch database: %s, NOT dropped\n", rr.Database)
	}
	if len(rr.Swept) > 0 {
		fmt.Fprintf(b, "  Swept: %s (left by restore drills cut short)\n", strings.Join(rr.Swept, ", "))
	}
}
