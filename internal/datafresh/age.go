package datafresh

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The http and exec sources say how old the data is as a time (the last
// write replicated or backed up there) or as an age. Their verdict is the
// age against the RPO; there is no WAL position to compare.

// maxSkew is how far in the future a reported time may be before it is an
// error: the clocks of two machines differ a little, but a time minutes
// ahead is a bad value, and taking it as age 0 would call stale data fresh.
const maxSkew = 5 * time.Second

// ErrBadValue is wrapped by every failure to read a time or an age from
// what a source answered.
var ErrBadValue = errors.New("datafresh: bad freshness value")

// ageOfTime is now - t; a time up to maxSkew ahead is age 0, further is
// an error.
func ageOfTime(t, now time.Time) (time.Duration, error) {
	age := now.Sub(t)
	if age < -maxSkew {
		return 0, fmt.Errorf("%w: %s is %s in the future: clock skew or bad value",
			ErrBadValue, t.UTC().Format(time.RFC3339), (-age).Round(time.Second))
	}
	return max(age, 0), nil
}

// parseTime reads an RFC 3339 time, an HTTP date (Last-Modified), or a
// number of Unix seconds (fractions allowed).
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := http.ParseTime(s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f > 0 && f < 1<<40 {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("%w: %q is neither an RFC 3339 time nor Unix seconds", ErrBadValue, clip(s, 64))
}

// parseAge reads what an exec source prints: an RFC 3339 time (the age is
// now minus it), a Go duration ("42s", "1m30s") or a number of seconds
// ("42", "42.5").
func parseAge(s string, now time.Time) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return ageOfTime(t, now)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > math.MaxInt64/float64(time.Second) {
			return 0, fmt.Errorf("%w: %q is not an age in seconds", ErrBadValue, clip(s, 64))
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return 0, fmt.Errorf("%w: negative age %s", ErrBadValue, d)
		}
		return d, nil
	}
	return 0, fmt.Errorf("%w: %q is neither an RFC 3339 time, a duration (42s) nor seconds", ErrBadValue, clip(s, 64))
}

// clip bounds text quoted in a reason.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// FreshByAge is the verdict for an http or exec measurement: unknown when
// it failed, fresh when the age is within the RPO (any age when rpo is 0,
// not set), else stale.
func FreshByAge(m Measurement, rpo time.Duration) Verdict {
	if m.Err != nil {
		return Verdict{State: StateUnknown, Reason: "measurement failed: " + m.Err.Error()}
	}
	v := Verdict{Age: m.Age, AgeKnown: true}
	age := m.Age.Round(time.Millisecond).String()
	switch {
	case rpo == 0:
		v.State = StateFresh
		v.Reason = "data age " + age + " (no RPO set)"
	case m.Age <= rpo:
		v.State = StateFresh
		v.Reason = fmt.Sprintf("data age %s within the RPO %s", age, rpo)
	default:
		v.State = StateStale
		v.Reason = fmt.Sprintf("data age %s is over the RPO %s", age, rpo)
	}
	return v
}
