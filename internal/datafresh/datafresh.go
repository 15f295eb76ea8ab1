// Package datafresh measures how fresh a service's data is where it lives:
// at a PostgreSQL primary, that it accepts writes and its WAL position; at
// a streaming replica, how far it has replayed and how old that is. Fresh
// turns a measurement into a verdict against an RPO and the primary's last
// WAL position seen, which the caller remembers because a lost primary
// cannot be asked.
package datafresh

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LSN is a PostgreSQL WAL position (a byte offset in the WAL stream). The
// zero LSN means "none".
type LSN uint64

// ParseLSN reads PostgreSQL's text form, "16/B374D848" (high and low 32
// bits in hexadecimal).
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || hi == "" || lo == "" || len(hi) > 8 || len(lo) > 8 {
		return 0, fmt.Errorf("datafresh: LSN %q: want HEX/HEX", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("datafresh: LSN %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("datafresh: LSN %q: %w", s, err)
	}
	return LSN(h<<32 | l), nil
}

// String is PostgreSQL's text form.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint64(l)&0xFFFFFFFF) }

// Measurement is what one look at a database (postgres) or a data source
// (http, exec) found. Err set means the look failed: the data's freshness
// there is unknown.
type Measurement struct {
	At  time.Time // when the measurement was taken (this machine's clock)
	Err error     // connection refused, timeout, authentication...; secrets redacted

	// InRecovery: a standby (pg_is_in_recovery()).
	InRecovery bool
	// Writable: a primary that takes writes (not in recovery and
	// default_transaction_read_only off).
	Writable bool
	// LSN is the primary's current WAL position (pg_current_wal_lsn()) or
	// the replica's replayed position (pg_last_wal_replay_lsn()).
	LSN LSN
	// ReceivedLSN is how far a replica has received WAL
	// (pg_last_wal_receive_lsn()); zero when it has received none by
	// streaming. It keeps its value after the primary is gone.
	ReceivedLSN LSN
	// Pending: a replica has received WAL it has not replayed.
	Pending bool
	// Lag is a replica's replay lag: zero when nothing is pending, else
	// now() - pg_last_xact_replay_timestamp() at the replica. LagKnown is
	// false when WAL is pending and no transaction has been replayed
	// since the replica started (the timestamp is NULL).
	Lag      time.Duration
	LagKnown bool
	// Timeline is the server's timeline at its last checkpoint (a
	// replica's last restartpoint), from pg_control_checkpoint(). A
	// promoted replica starts a new timeline, whose positions can pass
	// the old primary's while lacking its last writes: LSNs compare only
	// on one timeline. Recorded to be shown; Fresh does not use it (a
	// replica's restartpoint timeline lags its replay).
	Timeline uint32

	// Age is, for http and exec sources, how old the data is at At (now
	// minus the time reported, or the age reported); set when Err is nil.
	Age time.Duration
}

// State is a verdict's kind.
type State int

const (
	// StateUnknown: the measurement failed or cannot show freshness.
	// Never treated as fresh.
	StateUnknown State = iota
	// StateFresh: within the RPO and replayed up to the primary's last
	// position seen.
	StateFresh
	// StateStale: older than the RPO or behind the primary's last position.
	StateStale
)

func (s State) String() string {
	switch s {
	case StateFresh:
		return "fresh"
	case StateStale:
		return "stale"
	default:
		return "unknown"
	}
}

// Verdict is the freshness of the data at one database.
type Verdict struct {
	State State
	// Age is how old the data there is (a replica's replay lag; zero at a
	// primary); meaningful when AgeKnown.
	Age      time.Duration
	AgeKnown bool
	// Distance is how many bytes of WAL the database lacks up to the
	// primary's last position seen (zero when it has replayed that far).
	Distance uint64
	Reason   string
}

// ErrNoDeadline is returned when a measurement is asked for without a
// deadline: a database that never answers must not stall the caller.
var ErrNoDeadline = errors.New("datafresh: the context has no deadline")

// Fresh decides a measurement's freshness: lastPrimary is the primary's
// WAL position last seen (zero: never seen), rpo the largest data age
// accepted. The rules:
//   - a failed measurement is unknown;
//   - a primary that takes writes is fresh when it is at or past
//     lastPrimary (it is the data), else stale;
//   - a replica that has not replayed up to lastPrimary is stale, however
//     recent its last transaction looks: a replica whose WAL receiver
//     stopped shows nothing pending while it is behind;
//   - without a primary position seen, a replica is unknown, for the same
//     reason;
//   - a replica whose replay lag is over the RPO is stale, and one with
//     WAL pending but no replay time yet is unknown;
//   - a database neither writable nor in recovery (read-only primary) is
//     unknown.
func Fresh(m Measurement, lastPrimary LSN, rpo time.Duration) Verdict {
	if m.Err != nil {
		return Verdict{State: StateUnknown, Reason: "measurement failed: " + m.Err.Error()}
	}
	var v Verdict
	if lastPrimary > m.LSN {
		v.Distance = uint64(lastPrimary - m.LSN)
	}
	if !m.InRecovery {
		if !m.Writable {
			return Verdict{State: StateUnknown, Distance: v.Distance,
				Reason: "not in recovery but read-only (default_transaction_read_only on): neither a primary nor a replica"}
		}
		v.AgeKnown = true
		if v.Distance > 0 {
			v.State = StateStale
			v.Reason = fmt.Sprintf("primary at %s, %d bytes behind the last primary position seen (%s)", m.LSN, v.Distance, lastPrimary)
			return v
		}
		v.State = StateFresh
		v.Reason = fmt.Sprintf("primary accepting writes at %s", m.LSN)
		return v
	}
	v.Age, v.AgeKnown = m.Lag, m.LagKnown
	age := "unknown"
	if v.AgeKnown {
		age = v.Age.Round(time.Millisecond).String()
	}
	switch {
	case lastPrimary == 0:
		v.State = StateUnknown
		v.Reason = fmt.Sprintf("replica replayed to %s (age %s), but no primary position has been seen to compare", m.LSN, age)
	case v.Distance > 0:
		v.State = StateStale
		v.Reason = fmt.Sprintf("replica replayed to %s, %d bytes behind the primary's last position seen (%s); age %s", m.LSN, v.Distance, lastPrimary, age)
	case !v.AgeKnown:
		v.State = StateUnknown
		v.Reason = fmt.Sprintf("replica has WAL pending past %s and no transaction replayed yet: age unknown", m.LSN)
	case v.Age > rpo:
		v.State = StateStale
		v.Reason = fmt.Sprintf("replica data age %s is over the RPO %s", age, rpo)
	default:
		v.State = StateFresh
		v.Reason = fmt.Sprintf("replica replayed to %s, at or past the primary's last position seen; age %s within the RPO %s", m.LSN, age, rpo)
	}
	return v
}
