package wire

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// DataState is how fresh a data block is at one provider.
type DataState string

const (
	// DataFresh: the measured age is within the service's rpo (or no rpo
	// is set and the age was measured).
	DataFresh DataState = "fresh"
	// DataStale: the measured age is over the service's rpo.
	DataStale DataState = "stale"
	// DataUnknown: the age could not be measured (the database does not
	// answer, the command failed); the planner treats it as too old.
	DataUnknown DataState = "unknown"
)

// DataStatus is one data block of a service measured at one provider.
type DataStatus struct {
	Service  string `json:"service"`
	Data     string `json:"data"`
	Provider string `json:"provider"`
	// Kind is the data block's source: postgres, http or exec.
	Kind  string    `json:"kind"`
	State DataState `json:"state"`
	// AgeSeconds is how old the data there is (the primary's is 0);
	// meaningful only when AgeKnown.
	AgeSeconds float64 `json:"age_seconds"`
	AgeKnown   bool    `json:"age_known"`
	// RPOSeconds is the service's rpo; 0 when not set.
	RPOSeconds float64 `json:"rpo_seconds,omitempty"`
	// Reason says why the state is what it is, free of secrets.
	Reason     string    `json:"reason,omitempty"`
	MeasuredAt time.Time `json:"measured_at,omitzero"`
}

// Key names the row: one per service, data block and provider.
func (d DataStatus) Key() string { return d.Service + "\x00" + d.Data + "\x00" + d.Provider }

// Bad reports whether the row is stale or unknown: not known to be fresh.
func (d DataStatus) Bad() bool { return d.State != DataFresh }

// Age is the measured age; 0 when not known.
func (d DataStatus) Age() time.Duration {
	if !d.AgeKnown {
		return 0
	}
	return time.Duration(d.AgeSeconds * float64(time.Second))
}

// BackupStatus is one backup block of a service: its newest backup and
// how old it is.
type BackupStatus struct {
	Service string `json:"service"`
	Backup  string `json:"backup"`
	Vendor  string `json:"vendor"`
	// Newest is the newest backup's file or object name; empty when none
	// was found or the listing failed.
	Newest   string    `json:"newest,omitempty"`
	NewestAt time.Time `json:"newest_at,omitzero"`
	// AgeSeconds is how old the newest backup is; meaningful when Newest
	// is set.
	AgeSeconds    float64 `json:"age_seconds"`
	MaxAgeSeconds float64 `json:"max_age_seconds"`
	// Over: the newest backup is older than the service's backup_max_age,
	// or there is none, or the listing failed.
	Over bool `json:"over"`
	// Error says why the backups could not be listed, free of secrets.
	Error      string    `json:"error,omitempty"`
	MeasuredAt time.Time `json:"measured_at,omitzero"`
}

// StaleTransitions returns the rows of cur that turned stale or unknown
// since prev: fresh (or not there) before, stale or unknown now. A row
// that stays bad, or goes from stale to unknown, is not returned again,
// so a caller that notifies on each round's result notifies once per
// transition.
func StaleTransitions(prev, cur []DataStatus) []DataStatus {
	before := make(map[string]DataState, len(prev))
	for _, p := range prev {
		before[p.Key()] = p.State
	}
	var out []DataStatus
	for _, c := range cur {
		if !c.Bad() {
			continue
		}
		if st, ok := before[c.Key()]; ok && st != DataFresh {
			continue
		}
		out = append(out, c)
	}
	return out
}

// FormatAge prints an age in seconds the way status shows it: "42s",
// "3m10s", "5h3m", "3d4h".
func FormatAge(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second)).Round(time.Second)
	switch {
	case d < 0:
		return "-" + FormatAge(-seconds)
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", d/time.Minute, (d%time.Minute)/time.Second)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return fmt.Sprintf("%dd%02dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
}

// AgeText words a row's age: "42s old", or "age unknown".
func (d DataStatus) AgeText() string {
	if !d.AgeKnown {
		return "age unknown"
	}
	return FormatAge(d.AgeSeconds) + " old"
}

// AgeText words a backup's age against its limit: "3h02m old (max
// 26h00m)", "none found", or "not listed".
func (b BackupStatus) AgeText() string {
	switch {
	case b.Error != "":
		return "not listed"
	case b.Newest == "":
		return "none found"
	}
	return fmt.Sprintf("%s old (max %s)", FormatAge(b.AgeSeconds), FormatAge(b.MaxAgeSeconds))
}

// WriteDataTable writes the Data and Backups sections of `lifeboat
// status` as tab-separated lines, for the caller's tabwriter: one line per
// data block and provider, then one per backup block. Nothing is written
// when there is neither; each section starts with an empty line.
func WriteDataTable(w io.Writer, data []DataStatus, backups []BackupStatus) {
	if len(data) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "SERVICE\tDATA\tPROVIDER\tKIND\tAGE\tSTATE\tREASON")
		for _, d := range data {
			state := string(d.State)
			if d.Bad() {
				state = strings.ToUpper(state)
			}
			age := "-"
			if d.AgeKnown {
				age = FormatAge(d.AgeSeconds)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Service, d.Data, d.Provider, dash(d.Kind), age, state, d.Reason)
		}
	}
	if len(backups) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "SERVICE\tBACKUP\tVENDOR\tNEWEST\tAGE\tMAX AGE\tSTATE\tREASON")
		for _, b := range backups {
			newest, age, state := "-", "-", "ok"
			if b.Newest != "" {
				newest, age = b.Newest, FormatAge(b.AgeSeconds)
			}
			reason := b.Error
			switch {
			case b.Error != "":
				state = "UNKNOWN"
			case b.Newest == "":
				state, reason = "OVER", "no backup found"
			case b.Over:
				state = "OVER"
				reason = fmt.Sprintf("older than backup_max_age %s", FormatAge(b.MaxAgeSeconds))
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.Service, b.Backup, dash(b.Vendor), newest, age, FormatAge(b.MaxAgeSeconds), state, reason)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
